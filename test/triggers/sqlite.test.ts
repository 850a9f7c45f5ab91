import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { triggerContract } from './triggerContract';

const dir = mkdtempSync(join(tmpdir(), 'ck-trig-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

triggerContract('SQLite', { makeStore: () => ({ type: 'sqlite', path: join(dir, `t${++n}.db`) }) });
