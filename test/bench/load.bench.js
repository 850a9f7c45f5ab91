// 60 s of mixed load (validate : issue : redeem = 5 : 1 : 1) from 2 processes on each store, loopback only.
// Reports throughput, p50/p99 per operation and errors, and checks the invariants at the end.
'use strict';
const { execFile } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { startRedis } = require('../setup/redis');

const dist = join(__dirname, '..', '..', 'dist', 'core');
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const WORKERS = 2;
const IN_FLIGHT = 16;

function runWorker(job) {
	return new Promise((resolve, reject) => {
		execFile(process.execPath, [join(__dirname, 'fixtures', 'loadWorker.js'), JSON.stringify(job)], { maxBuffer: 512 * 1024 * 1024, timeout: (SECONDS + 120) * 1000 }, (err, out, errOut) =>
			err ? reject(new Error(errOut || err.message)) : resolve(JSON.parse(out)),
		);
	});
}

const pct = (sorted, p) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]);

async function loadOn(name, store, dir) {
	const { openEngine } = require(dist);
	const engine = await openEngine({ store });
	await engine.createCampaign({ id: 'load', code: { length: 12 }, discount: { type: 'percent', value: 10 }, limits: { perCode: 1 } });
	const pool = [];
	for await (const batch of engine.generate({ campaignId: 'load', count: 200_000, batchSize: 10_000 })) pool.push(...batch);
	const codesFile = join(dir, `${name}-codes.txt`);
	writeFileSync(codesFile, pool.join('\n'));
	const results = await Promise.all(
		Array.from({ length: WORKERS }, (_, index) =>
			runWorker({ store, codesFile, campaignId: 'load', seconds: SECONDS, inFlight: IN_FLIGHT, workers: WORKERS, index }),
		),
	);
	const audit = await engine.audit('load');
	await engine.close();
	const rows = [];
	let total = 0;
	for (const op of ['validate', 'issue', 'redeem']) {
		const all = results.flatMap((r) => r.lat[op]).sort((a, b) => a - b);
		total += all.length;
		rows.push({ name: `${name} ${op}: throughput`, value: all.length / SECONDS, unit: '/s' });
		rows.push({ name: `${name} ${op}: p50 / p99`, value: `${pct(all, 0.5).toFixed(2)} / ${pct(all, 0.99).toFixed(2)}`, unit: 'ms' });
	}
	const errors = results.reduce((n, r) => n + Object.values(r.errors).reduce((a, b) => a + b, 0), 0);
	const redeemed = results.reduce((n, r) => n + r.redeemed, 0);
	rows.push({ name: `${name} all operations`, value: total / SECONDS, unit: '/s' });
	rows.push({ name: `${name} errors`, value: errors, unit: '', target: '0', met: errors === 0 });
	rows.push({
		name: `${name} invariants (audit; redeemed = acknowledged)`,
		value: audit.consistent && audit.redeemedCounter === redeemed ? 'hold' : `BROKEN ${audit.problems.join('; ')}`,
		unit: '',
		target: 'hold',
		met: audit.consistent && audit.redeemedCounter === redeemed,
	});
	return rows;
}

async function run() {
	const dir = mkdtempSync(join(tmpdir(), 'ck-load-'));
	const redis = await startRedis(['--appendonly', 'yes', '--appendfsync', 'everysec']);
	try {
		return [
			...(await loadOn('SQLite', { type: 'sqlite', path: join(dir, 'load.db') }, dir)),
			...(await loadOn('Redis (AOF everysec)', { type: 'redis', url: redis.url, keyPrefix: 'load:' }, dir)),
		];
	} finally {
		await redis.stop();
		rmSync(dir, { recursive: true, force: true });
	}
}

module.exports = run;
if (require.main === module) run().then((rows) => console.table(rows));
