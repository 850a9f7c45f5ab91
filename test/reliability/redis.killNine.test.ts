import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killNineSuite } from './killNine';

const url = process.env.REDIS_URL;
if (!url) throw new Error('REDIS_URL is not set: the jest global set-up starts redis-server and sets it');
const dir = mkdtempSync(join(tmpdir(), 'ck-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

killNineSuite('Redis', () => ({ type: 'redis', url, keyPrefix: `ck-kill-${randomBytes(6).toString('hex')}:` }), () => dir);
