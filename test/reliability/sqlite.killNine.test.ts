import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killNineSuite } from './killNine';

const dir = mkdtempSync(join(tmpdir(), 'ck-kill-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

killNineSuite('SQLite', (d) => ({ type: 'sqlite', path: join(d, `kill-${++n}.db`) }), () => dir);
