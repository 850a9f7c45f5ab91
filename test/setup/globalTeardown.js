'use strict';
module.exports = async function globalTeardown() {
	const redis = globalThis.__COUPON_KIT_REDIS__;
	if (redis) await redis.stop();
};
