import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concurrencySuite } from './concurrency';

const dir = mkdtempSync(join(tmpdir(), 'ck-conc-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

concurrencySuite('one SQLite file', () => ({ type: 'sqlite', path: join(dir, `shared-${++n}.db`) }));
