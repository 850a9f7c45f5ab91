import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEngine, StoreError } from '../../core';

const dir = mkdtempSync(join(tmpdir(), 'ck-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite store under faults', () => {
	it('waits for another writer up to the busy timeout, then fails with a clear, retryable error and changes nothing', async () => {
		const path = join(dir, 'busy.db');
		const engine = await openEngine({ store: { type: 'sqlite', path, busyTimeoutMs: 150 } });
		try {
			await engine.createCampaign({ id: 'b', code: { length: 10 }, discount: { type: 'percent', value: 5 } });
			const r = await engine.issue({ campaignId: 'b' });
			if (!r.ok) throw new Error(r.reason);
			const other = new DatabaseSync(path);
			other.exec('BEGIN IMMEDIATE');
			try {
				const err = await engine.redeem({ code: r.code }).catch((e: unknown) => e);
				expect(err).toBeInstanceOf(StoreError);
				expect((err as StoreError).retryable).toBe(true);
				expect((err as StoreError).message).toMatch(/busy.*busy timeout/);
			} finally {
				other.exec('ROLLBACK');
				other.close();
			}
			expect((await engine.getCode(r.code))?.redemptions).toBe(0);
			expect((await engine.redeem({ code: r.code })).ok).toBe(true);
		} finally {
			await engine.close();
		}
	});

	it('reports a file that is not a coupon database in words', async () => {
		const path = join(dir, 'corrupt.db');
		writeFileSync(path, 'this is not a database, just text that happens to sit here'.repeat(100));
		const err = await openEngine({ store: { type: 'sqlite', path } }).catch((e: unknown) => e);
		expect(err).toBeInstanceOf(StoreError);
		expect((err as Error).message).toContain(path);
		expect((err as Error).message).toMatch(/not a (usable coupon )?database/);
	});

	it('reports a path it cannot write in words', async () => {
		if (process.getuid?.() === 0) {
			// root ignores permissions: use a path below a regular file instead
			const file = join(dir, 'plain-file');
			writeFileSync(file, 'x');
			const err = await openEngine({ store: { type: 'sqlite', path: join(file, 'coupons.db') } }).catch((e: unknown) => e);
			expect(err).toBeInstanceOf(StoreError);
			expect((err as Error).message).toMatch(/cannot open the coupon database at/);
			return;
		}
		const locked = join(dir, 'locked');
		mkdirSync(locked);
		chmodSync(locked, 0o500);
		const err = await openEngine({ store: { type: 'sqlite', path: join(locked, 'coupons.db') } }).catch((e: unknown) => e);
		expect((err as Error).message).toMatch(/cannot open the coupon database at/);
	});

	it('creates the database file readable by its owner only', async () => {
		const path = join(dir, 'private.db');
		const engine = await openEngine({ store: { type: 'sqlite', path } });
		await engine.createCampaign({ id: 'p', code: { length: 10 }, discount: { type: 'percent', value: 5 } });
		for (const f of [path, `${path}-wal`, `${path}-shm`]) {
			expect((statSync(f).mode & 0o777).toString(8)).toBe('600');
		}
		await engine.close();
	});
});
