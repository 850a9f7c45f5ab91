import { randomBytes } from 'node:crypto';
import { openEngine } from '../../core';
import { engineContract } from './engineContract';

const url = process.env.REDIS_URL;
if (!url) throw new Error('REDIS_URL is not set: the jest global set-up starts redis-server and sets it');
let prefix = '';

engineContract('Redis', {
	async open(options, fresh) {
		if (fresh) prefix = `ck-test-${randomBytes(6).toString('hex')}:`;
		return openEngine({ ...options, store: { type: 'redis', url, keyPrefix: prefix } });
	},
});
