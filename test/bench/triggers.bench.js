// Cart abandonment at volume, on each store: track 100k cart events, then fire 100k deadlines spread
// over a few seconds of real time while one poller claims them; report events/s and the delay
// between each deadline and its firing. Baselines are the bare store doing the least the same job needs.
'use strict';
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { DatabaseSync } = require('node:sqlite');
const { startRedis } = require('../setup/redis');

const dist = join(__dirname, '..', '..', 'dist', 'core', 'triggers');
const CARTS = Number(process.env.BENCH_CARTS ?? 100_000);
const SPREAD_MS = Number(process.env.BENCH_SPREAD_MS ?? 5_000);
const IN_FLIGHT = 64;
const STORES = (process.env.BENCH_STORES ?? 'sqlite,redis').split(',');
const ABANDON_MIN = 30;
// Deadlines sit far in the clock's future while tracking; the clock is then moved to just before them
// and runs at real speed, so firing delay is real time.
const VIRTUAL_BASE = Date.parse('2030-01-01T00:00:00Z');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function pool(count, inFlight, fn) {
	let next = 0;
	const lanes = Array.from({ length: Math.min(inFlight, count) }, async () => {
		while (next < count) await fn(next++);
	});
	await Promise.all(lanes);
}

async function timed(fn) {
	const t = process.hrtime.bigint();
	await fn();
	return Number(process.hrtime.bigint() - t) / 1e9;
}

/** The least a durable deadline per event costs on bare SQLite: one upsert per write transaction. */
function bareSqlite(path) {
	const db = new DatabaseSync(path);
	db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
	db.exec('CREATE TABLE carts (id TEXT PRIMARY KEY, due_at INTEGER, payload TEXT) WITHOUT ROWID; CREATE INDEX carts_due ON carts (due_at)');
	const up = db.prepare('INSERT INTO carts (id, due_at, payload) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET due_at = excluded.due_at, payload = excluded.payload');
	return {
		async track(i, deadline, payload) {
			db.exec('BEGIN IMMEDIATE');
			up.run(`cart-${i}`, deadline, payload);
			db.exec('COMMIT');
		},
		async close() {
			db.close();
		},
	};
}

/** The least on bare Redis: one script per event writing the cart hash and its sorted-set deadline. */
function bareRedis(url) {
	const Redis = require('ioredis');
	const r = new Redis(url);
	r.defineCommand('bareTrack', { numberOfKeys: 2, lua: "redis.call('HSET', KEYS[1], 'p', ARGV[2], 'due', ARGV[1]); redis.call('ZADD', KEYS[2], ARGV[1], ARGV[3]); return 1" });
	return {
		track: (i, deadline, payload) => r.bareTrack(`bare:c:${i}`, 'bare:due', String(deadline), payload, `cart-${i}`),
		close: () => r.quit(),
	};
}

async function measure(label, storeOptions, bare, inFlight) {
	const { createTriggers } = require(dist);
	let offset = 0;
	const clock = () => Date.now() + offset;
	const triggers = await createTriggers({ store: storeOptions, clock });
	const deadlineOf = (i) => VIRTUAL_BASE + Math.floor((i * SPREAD_MS) / CARTS);
	const event = (i) => ({
		cartId: `cart-${i}`,
		type: 'activity',
		customerId: `cust-${i}`,
		value: 40 + (i % 100),
		currency: 'EUR',
		items: [{ sku: `sku-${i % 500}`, quantity: 1 + (i % 3), price: 20 }],
		at: deadlineOf(i) - ABANDON_MIN * 60_000,
	});
	const options = { abandonAfterMinutes: ABANDON_MIN, quietDays: 1 };
	const rows = [];

	const bareSecs = await timed(() => pool(CARTS, inFlight, (i) => bare.track(i, deadlineOf(i), JSON.stringify(event(i)))));
	await bare.close();
	const trackSecs = await timed(() => pool(CARTS, inFlight, (i) => triggers.trackCart(event(i), options)));
	const ours = CARTS / trackSecs;
	const base = CARTS / bareSecs;
	rows.push({
		name: `${label}: track ${CARTS} cart events (trackCart ÷ bare upsert of a deadline)`,
		value: ours,
		unit: 'events/s',
		baseline: base,
		ratio: ours / base,
		target: '≥ 0.5',
		met: ours / base >= 0.5,
	});

	// Fire: one poller claims in a loop while the clock runs through the deadlines.
	offset = VIRTUAL_BASE - 200 - Date.now();
	const delays = [];
	let polls = 0;
	const fireSecs = await timed(async () => {
		while (delays.length < CARTS) {
			const firings = await triggers.claimDue({ kinds: ['cart'], limit: 1000 });
			polls++;
			const at = clock();
			for (const f of firings) delays.push(at - f.dueAt);
			if (firings.length === 0) {
				const next = await triggers.nextDueAt(['cart']);
				if (next === null) throw new Error(`only ${delays.length} of ${CARTS} carts fired`);
				await sleep(Math.max(0, Math.min(20, next - clock())));
			}
		}
	});
	// Capacity: the same number of carts all overdue at once, claimed as fast as one poller can.
	const overdue = (i) => ({ ...event(i), cartId: `late-${i}`, customerId: `late-${i}`, at: clock() - ABANDON_MIN * 60_000 - 1000 });
	await pool(CARTS, inFlight, (i) => triggers.trackCart(overdue(i), options));
	let drained = 0;
	const drainSecs = await timed(async () => {
		for (;;) {
			const n = (await triggers.claimDue({ kinds: ['cart'], limit: 1000 })).length;
			if (n === 0) break;
			drained += n;
		}
	});
	if (drained !== CARTS) throw new Error(`drained ${drained} of ${CARTS}`);
	await triggers.close();
	delays.sort((a, b) => a - b);
	const p99 = pct(delays, 0.99);
	rows.push({ name: `${label}: fire ${CARTS} deadlines over ${SPREAD_MS / 1000} s — delay p50`, value: pct(delays, 0.5), unit: 'ms' });
	rows.push({ name: `${label}: fire ${CARTS} deadlines — delay p99 (deadline → claimed)`, value: p99, unit: 'ms', target: '< 1000 ms', met: p99 < 1000 });
	rows.push({ name: `${label}: fire — delay max`, value: delays[delays.length - 1], unit: 'ms' });
	rows.push({ name: `${label}: fire — firings/s (deadlines arrive at ${Math.round(CARTS / (SPREAD_MS / 1000))}/s; ${polls} polls)`, value: CARTS / fireSecs, unit: '/s' });
	rows.push({ name: `${label}: drain ${CARTS} overdue carts, one poller, 1000 per claim`, value: CARTS / drainSecs, unit: 'firings/s' });
	return rows;
}

async function run() {
	const dir = mkdtempSync(join(tmpdir(), 'ck-bench-trig-'));
	const redis = await startRedis();
	const rows = [];
	try {
		if (STORES.includes('sqlite')) rows.push(...(await measure('SQLite', { type: 'sqlite', path: join(dir, 'triggers.db') }, bareSqlite(join(dir, 'bare.db')), 1)));
		if (STORES.includes('redis')) rows.push(...(await measure('Redis', { type: 'redis', url: redis.url }, bareRedis(redis.url), IN_FLIGHT)));
	} finally {
		await redis.stop();
		rmSync(dir, { recursive: true, force: true });
	}
	return rows;
}

module.exports = run;

if (require.main === module) run().then((rows) => console.table(rows), (err) => {
	console.error(err);
	process.exitCode = 1;
});
