import { randomBytes } from 'node:crypto';
import { concurrencySuite } from './concurrency';

const url = process.env.REDIS_URL;
if (!url) throw new Error('REDIS_URL is not set: the jest global set-up starts redis-server and sets it');

concurrencySuite('one Redis', () => ({ type: 'redis', url, keyPrefix: `ck-conc-${randomBytes(6).toString('hex')}:` }));
