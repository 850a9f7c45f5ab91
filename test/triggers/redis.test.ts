import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { triggerContract } from './triggerContract';

const prefixes: string[] = [];

afterAll(async () => {
	const redis = new Redis(process.env.REDIS_URL as string);
	for (const prefix of prefixes) {
		const keys = await redis.keys(`${prefix}*`);
		if (keys.length) await redis.del(...keys);
	}
	await redis.quit();
});

triggerContract('Redis', {
	makeStore() {
		const keyPrefix = `t${randomBytes(4).toString('hex')}:`;
		prefixes.push(keyPrefix);
		return { type: 'redis', url: process.env.REDIS_URL, keyPrefix };
	},
});
