// Redis stopped and restarted under load: calls fail fast with a clear error while it is down,
// recover by themselves, and nothing acknowledged is lost (AOF everysec and always).
import type { CouponEngine, RedeemResult } from '../../core';
import { openEngine, StoreError } from '../../core';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startRedis } = require('../setup/redis') as {
	startRedis(args: string[], at?: { port?: number; dir?: string }): Promise<{ url: string; port: number; dir: string; stop(): Promise<void> }>;
};

async function until<T>(what: () => Promise<T>, tries = 100): Promise<T> {
	for (let i = 0; ; i++) {
		try {
			return await what();
		} catch (err) {
			if (!(err instanceof StoreError) || i >= tries) throw err;
			await new Promise((r) => setTimeout(r, 100));
		}
	}
}

describe.each(['everysec', 'always'])('Redis restarted under load with AOF %s', (fsync) => {
	it('fails fast while down, recovers by itself, and keeps every acknowledged redemption', async () => {
		const aof = ['--appendonly', 'yes', '--appendfsync', fsync];
		let redis = await startRedis(aof);
		let engine: CouponEngine | undefined;
		try {
			engine = await openEngine({ store: { type: 'redis', url: redis.url, commandTimeoutMs: 500 } });
			const e = engine;
			await e.createCampaign({ id: 'load', code: { length: 12 }, discount: { type: 'percent', value: 5 } });
			const codes: string[] = [];
			for await (const batch of e.generate({ campaignId: 'load', count: 3000 })) codes.push(...batch);

			const acked: string[] = [];
			const failures: unknown[] = [];
			let next = 0;
			let stopped = false;
			// The load goes on until it has met the outage (or, failing the test below, runs out of codes).
			const lane = async () => {
				while (next < 2900 && !(stopped && failures.length > 0)) {
					const code = codes[next++];
					const r: RedeemResult | Error = await e.redeem({ code }).catch((err: Error) => err);
					if (r instanceof Error) failures.push(r);
					else if (r.ok) acked.push(r.code);
				}
			};
			const load = Promise.all([lane(), lane(), lane(), lane()]);
			while (acked.length < 100 && next < 2900) await new Promise((r) => setImmediate(r));
			await redis.stop();
			stopped = true;
			await load;

			// While down: a clear, retryable error (never a hang).
			const down = await e.redeem({ code: codes[2950] }).catch((err: unknown) => err);
			expect(down).toBeInstanceOf(StoreError);
			expect((down as StoreError).retryable).toBe(true);
			expect(String((down as Error).message)).not.toContain('password');
			expect(failures.length).toBeGreaterThan(0);
			for (const f of failures) expect(f).toBeInstanceOf(StoreError);

			redis = await startRedis(aof, { port: redis.port, dir: redis.dir });
			// Recovers without reopening the engine.
			const after = await until(() => e.redeem({ code: codes[2951] }));
			expect(after.ok).toBe(true);
			for (const code of acked) expect((await e.getCode(code))?.redemptions).toBe(1);
			const audit = await e.audit('load');
			expect(audit.problems).toEqual([]);
			expect(audit.redeemedCounter).toBeGreaterThanOrEqual(acked.length + 1);
		} finally {
			await engine?.close();
			await redis.stop();
		}
	}, 120_000);
});
