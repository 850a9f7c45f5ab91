import { randomBytes } from 'node:crypto';
import { openEngine } from '../../core';
import { attackSuite } from './attack';

const url = process.env.REDIS_URL;
if (!url) throw new Error('REDIS_URL is not set: the jest global set-up starts redis-server and sets it');

attackSuite('Redis', {
	open: (options) => openEngine({ ...options, store: { type: 'redis', url, keyPrefix: `ck-attack-${randomBytes(6).toString('hex')}:` } }),
});
