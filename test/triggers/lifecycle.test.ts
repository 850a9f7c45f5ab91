import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lifecycleContract } from './lifecycleContract';

const dir = mkdtempSync(join(tmpdir(), 'ck-life-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

lifecycleContract('SQLite', () => ({ type: 'sqlite', path: join(dir, `l${++n}.db`) }));
lifecycleContract('Redis', () => ({ type: 'redis', url: process.env.REDIS_URL, keyPrefix: `l${randomBytes(4).toString('hex')}:` }));
