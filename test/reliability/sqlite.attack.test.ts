import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEngine } from '../../core';
import { attackSuite } from './attack';

const dir = mkdtempSync(join(tmpdir(), 'ck-attack-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

attackSuite('SQLite', { open: (options) => openEngine({ ...options, store: { type: 'sqlite', path: join(dir, `a-${++n}.db`) } }) });
