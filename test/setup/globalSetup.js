'use strict';
const { startRedis } = require('./redis');

module.exports = async function globalSetup() {
	if (process.env.REDIS_URL) return;
	const redis = await startRedis();
	globalThis.__COUPON_KIT_REDIS__ = redis;
	process.env.REDIS_URL = redis.url;
};
