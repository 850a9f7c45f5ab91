// Redis store against a bare ioredis EVALSHA of a one-HINCRBY script, both with 64 calls in flight,
// on a private redis-server started here (no persistence, as the bare figure in TOOLCHAIN.md).
'use strict';
const { join } = require('node:path');
const Redis = require('ioredis');
const { startRedis } = require('../setup/redis');

const dist = join(__dirname, '..', '..', 'dist', 'core');
const N = Number(process.env.BENCH_REDIS_REDEEMS ?? 20_000);
const IN_FLIGHT = 64;

async function inFlight(count, call) {
	let next = 0;
	const lane = async () => {
		while (next < count) await call(next++);
	};
	const t = process.hrtime.bigint();
	await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
	return Number(process.hrtime.bigint() - t) / 1e9;
}

async function bare(url, autoPipelining) {
	const client = new Redis(url, { enableAutoPipelining: autoPipelining });
	client.defineCommand('bump', { numberOfKeys: 1, lua: "return redis.call('HINCRBY', KEYS[1], ARGV[1], 1)" });
	await client.bump('bench:bare', 'warm');
	const secs = await inFlight(N, (i) => client.bump('bench:bare', `f${i % 1000}`));
	await client.quit();
	return N / secs;
}

async function run() {
	const redis = await startRedis();
	try {
		const { openEngine } = require(dist);
		const engine = await openEngine({ store: { type: 'redis', url: redis.url, keyPrefix: 'bench:' } });
		await engine.createCampaign({
			id: 'r', code: { length: 12 }, discount: { type: 'percent', value: 10 }, limits: { perCode: 1, perCustomer: 5, total: 10_000_000 },
		});
		const codes = [];
		for await (const batch of engine.generate({ campaignId: 'r', count: N + 1000 })) codes.push(...batch);
		for (let i = 0; i < 1000; i++) await engine.redeem({ code: codes[N + i], customerId: `w${i}` });
		// The bare baseline both ways; the faster one is the bar.
		const base = Math.max(await bare(redis.url, false), await bare(redis.url, true));
		let ok = 0;
		const secs = await inFlight(N, async (i) => {
			const r = await engine.redeem({ code: codes[i], customerId: `c${i}`, orderId: `o${i}`, orderAmount: 50 });
			if (r.ok) ok++;
		});
		if (ok !== N) throw new Error(`only ${ok} of ${N} redeemed`);
		const audit = await engine.audit('r');
		await engine.close();
		if (!audit.consistent) throw new Error(`audit after the bench: ${audit.problems.join('; ')}`);
		const ours = N / secs;
		return [
			{
				name: 'redeem throughput, 64 in flight (engine.redeem ÷ bare EVALSHA one-HINCRBY)',
				value: ours,
				unit: '/s',
				baseline: base,
				ratio: ours / base,
				target: '≥ 0.5',
				met: ours / base >= 0.5,
			},
		];
	} finally {
		await redis.stop();
	}
}

module.exports = run;
if (require.main === module) run().then((rows) => console.table(rows));
