import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreOptions } from '../../core/api';
import { acquireEngine, engineFingerprint, openEngineCount, releaseEngine } from '../../core/hosts/engineCache';

describe('engine cache', () => {
	let dir: string;
	let store: StoreOptions & { type: 'sqlite' };

	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'ck-cache-'));
		store = { type: 'sqlite', path: join(dir, 'c.db') };
	});

	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	it('shares one engine per settings and closes it with the last user', async () => {
		const [a, b] = await Promise.all([acquireEngine(store), acquireEngine({ path: store.path, type: 'sqlite' } as StoreOptions)]);
		expect(a).toBe(b);
		expect(openEngineCount()).toBe(1);
		await releaseEngine(store);
		expect(openEngineCount()).toBe(1);
		await a.listCampaigns();
		await releaseEngine(store);
		expect(openEngineCount()).toBe(0);
		await releaseEngine(store);
		const c = await acquireEngine(store);
		expect(c).not.toBe(a);
		await releaseEngine(store);
	});

	it('keeps different settings apart and hides secrets in the key', async () => {
		expect(engineFingerprint(store)).not.toBe(engineFingerprint(store, { reservationTtlSeconds: 60 }));
		const key = engineFingerprint({ type: 'redis', host: 'h', password: 'hunter2' });
		expect(key).toMatch(/^[0-9a-f]{64}$/);
		expect(key).not.toContain('hunter2');
	});

	it('does not cache a failed open', async () => {
		// A file where the folder should be: nothing can open this path until the file is gone.
		writeFileSync(join(dir, 'blocker'), '');
		const bad: StoreOptions = { type: 'sqlite', path: join(dir, 'blocker', 'x.db') };
		await expect(acquireEngine(bad)).rejects.toThrow();
		expect(openEngineCount()).toBe(0);
		await releaseEngine(bad);
		rmSync(join(dir, 'blocker'));
		const engine = await acquireEngine(bad);
		expect(openEngineCount()).toBe(1);
		await engine.listCampaigns();
		await releaseEngine(bad);
		expect(openEngineCount()).toBe(0);
	});
});
