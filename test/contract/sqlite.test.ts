import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEngine } from '../../core';
import { engineContract } from './engineContract';

const dir = mkdtempSync(join(tmpdir(), 'ck-contract-'));
let n = 0;
let path = '';

afterAll(() => rmSync(dir, { recursive: true, force: true }));

engineContract('SQLite', {
	async open(options, fresh) {
		if (fresh) path = join(dir, `store-${++n}.db`);
		return openEngine({ ...options, store: { type: 'sqlite', path } });
	},
});
