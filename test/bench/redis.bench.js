// Redis store and engine redeem throughput against a bare ioredis EVALSHA of a one-HINCRBY script, all with
// 64 calls in flight on one private redis-server started here (no persistence, as the bare figure in
// TOOLCHAIN.md), in the same run.
// Needs the build: `npx tsc -p tsconfig.build.json && npx gulp build` (or `npm run build`).
'use strict';
const { join } = require('node:path');
const Redis = require('ioredis');
const { startRedis } = require('../setup/redis');
const { collectGarbage } = require('./gc');
const { median } = require('./median');

const dist = join(__dirname, '..', '..', 'dist', 'core');
const REDEEMS = Number(process.env.BENCH_REDIS_REDEEMS ?? 20_000);
const IN_FLIGHT = 64;
const T0 = Date.parse('2027-03-10T12:00:00Z');

/**
 * Runs `count` calls with `IN_FLIGHT` of them pending at any time; returns calls per second. The time
 * includes collecting the garbage the calls left (with --expose-gc, as `npm run bench` runs), so that
 * a run pays for its own garbage and not for the one before it.
 */
async function throughput(count, call) {
	let next = 0;
	const lane = async () => {
		while (next < count) await call(next++);
	};
	const started = process.hrtime.bigint();
	await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
	collectGarbage();
	return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

function campaign(id) {
	return {
		id,
		name: id,
		code: { charset: 'ABCDEFGHJKMNPQRSTUVWXYZ23456789', checkCharacter: false, pattern: '##########' },
		discount: { type: 'percent', value: 10 },
		validity: { zone: 'UTC', startsAt: null, endsAt: null, lifetimeDays: null, windows: [] },
		limits: { perCode: 1, perCustomer: null, total: null, issuance: null },
		rules: { minOrderAmount: null, currency: null, firstOrderOnly: false, segments: [], channels: [] },
		capacity: { space: 1e15, maxIssued: 1e9 },
		maxGuessProbability: 1e-6,
		metadata: {},
		active: true,
		version: 1,
		createdAt: T0,
		updatedAt: T0,
	};
}

function draft(id, campaignId, fields = {}) {
	return { id, at: new Date(T0).toISOString(), campaignId, code: null, customerId: null, channel: null, amount: null, data: {}, ...fields };
}

/** A campaign with `count` codes (one use each) for one measured run of redeems. */
async function prepare(store, id, count) {
	const c = campaign(id);
	await store.putCampaign(c, null, { ...draft(`${id}-created`, id), type: 'campaign_created', count: 1, reason: null });
	const limits = { campaignId: id, campaignVersion: 1, ...c.limits };
	const keys = [];
	for (let i = 0; i < count; i += 1000) {
		const codes = [];
		for (let j = i; j < Math.min(count, i + 1000); j++) {
			const key = `${id.toUpperCase()}${String(j).padStart(8, '0')}`;
			keys.push(key);
			codes.push({
				key,
				code: key,
				campaignId: id,
				customerId: null,
				email: null,
				channel: null,
				issuedAt: T0,
				expiresAt: null,
				voidedAt: null,
				redemptions: 0,
				reserved: 0,
				metadata: {},
			});
		}
		const out = await store.insertGenerated({ limits, codes, now: T0, event: draft(`${id}-gen-${i}`, id) });
		if (out.status !== 'inserted' || out.inserted.length !== codes.length) throw new Error(`preparing ${id}: ${out.status}`);
	}
	return { limits, keys };
}

/** The bare bar: a one-HINCRBY script by EVALSHA, with and without auto-pipelining; the faster one counts. */
async function bare(url, autoPipelining, count) {
	const client = new Redis(url, { enableAutoPipelining: autoPipelining });
	client.defineCommand('bump', { numberOfKeys: 1, lua: "return redis.call('HINCRBY', KEYS[1], ARGV[1], 1)" });
	try {
		await throughput(2000, (i) => client.bump('bench:bare', `f${i % 1000}`));
		return await throughput(count, (i) => client.bump('bench:bare', `f${i % 1000}`));
	} finally {
		client.disconnect();
	}
}

// Two processes on a small machine share its cores, so one run swings with the scheduler: each figure is
// the median of its rounds, and each round is measured between two bars (see `measureBar`).
const ROUNDS = Number(process.env.BENCH_REDIS_ROUNDS ?? 9);
const SHARED_ROUNDS = 3;
const VALIDATE_ROUNDS = 3;

async function run() {
	const { openEngine } = require(dist);
	const { openRedisStore } = require(join(dist, 'store', 'redis'));
	const server = await startRedis();
	let store;
	let engine;
	let admin;
	try {
		store = await openRedisStore({ type: 'redis', url: server.url, keyPrefix: 'ck:' });
		admin = new Redis(server.url);
		// 1. The store's redeem: codes prepared with perCode 1, then redeemed one call each.
		const redeemAll = async (id, count) => {
			const { limits, keys } = await prepare(store, id, count);
			let ok = 0;
			const rate = await throughput(count, async (i) => {
				const out = await store.redeem({
					limits,
					codeKey: keys[i],
					customerKeys: [`id:c${i}`],
					customerId: `c${i}`,
					email: null,
					orderId: `o${i}`,
					unitId: `${id}~u${i}`,
					now: T0 + 1000,
					event: draft(`${id}-r${i}`, id, { code: keys[i], customerId: `c${i}`, channel: 'web', amount: 25 }),
				});
				if (out.status === 'redeemed') ok++;
			});
			if (ok !== count) throw new Error(`${count - ok} of ${count} store redeems were not redeemed`);
			return rate;
		};
		await redeemAll('warm', 2000);

		// 2. The whole engine.redeem (code lookup, campaign rules, abuse guard, then the same script).
		engine = await openEngine({ store: { type: 'redis', url: server.url, keyPrefix: 'ck:e:' } });
		await engine.createCampaign({
			id: 'r',
			code: { length: 12 },
			discount: { type: 'percent', value: 10 },
			limits: { perCode: 1, perCustomer: 5, total: 10_000_000 },
		});
		const codes = [];
		const measured = REDEEMS * (ROUNDS + SHARED_ROUNDS + VALIDATE_ROUNDS);
		const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await admin.info('memory'))[1]);
		const memoryBefore = await usedMemory();
		for await (const batch of engine.generate({ campaignId: 'r', count: measured + 2000 })) codes.push(...batch);
		const bytesPerCode = ((await usedMemory()) - memoryBefore) / codes.length;
		await throughput(2000, (i) => engine.redeem({ code: codes[measured + i], customerId: `w${i}` }));
		const engineRound = async (round) => {
			let ok = 0;
			const offset = round * REDEEMS;
			const rate = await throughput(REDEEMS, async (i) => {
				const r = await engine.redeem({ code: codes[offset + i], customerId: `c${offset + i}`, orderId: `o${offset + i}`, orderAmount: 50 });
				if (r.ok) ok++;
			});
			if (ok !== REDEEMS) throw new Error(`only ${ok} of ${REDEEMS} engine redeems succeeded`);
			return rate;
		};

		// Every measured run sits between two bars, each both bare variants measured just then: the machine's
		// speed drifts within a run, and the mean of the bar before and after follows it. The variant that
		// counts is the faster one over the whole run (taking the faster of each pair would pick noise).
		const bars = [];
		// Each measurement starts from a collected heap (preparing a campaign leaves garbage too).
		const measureBar = async () => {
			collectGarbage();
			bars.push({ plain: await bare(server.url, false, REDEEMS), pipelined: await bare(server.url, true, REDEEMS) });
			return bars.length - 1;
		};
		const runs = { store: [], engine: [], shared: [], validate: [] };
		let before = await measureBar();
		const measure = async (kind, fn) => {
			collectGarbage();
			const rate = await fn();
			const after = await measureBar();
			runs[kind].push({ rate, before, after });
			before = after;
		};
		for (let round = 0; round < ROUNDS; round++) {
			await measure('store', () => redeemAll(`measured${round}`, REDEEMS));
			await measure('engine', () => engineRound(round));
		}

		// 3. Once a second campaign has codes of the same shape, the engine cannot tell a code's campaign from
		// its shape: it looks codes up (one MGET per turn of the event loop) until two lookups in a row agree,
		// then takes the codes that follow to be of that campaign.
		await engine.createCampaign({ id: 's', code: { length: 12 }, discount: { type: 'percent', value: 5 } });
		for (let round = 0; round < SHARED_ROUNDS; round++) await measure('shared', () => engineRound(ROUNDS + round));

		// 4. engine.validate of unused codes: the code lookups of a tick go as one MGET, the reads of the code
		// and its use as one script call per campaign.
		for (let round = 0; round < VALIDATE_ROUNDS; round++) {
			const offset = (ROUNDS + SHARED_ROUNDS + round) * REDEEMS;
			await measure('validate', async () => {
				let valid = 0;
				const rate = await throughput(REDEEMS, async (i) => {
					const v = await engine.validate({ code: codes[offset + i], customerId: `v${offset + i}`, orderAmount: 50 });
					if (v.valid) valid++;
				});
				if (valid !== REDEEMS) throw new Error(`only ${valid} of ${REDEEMS} validates were valid`);
				return rate;
			});
		}
		const variant = median(bars.map((b) => b.plain)) > median(bars.map((b) => b.pipelined)) ? 'plain' : 'pipelined';
		const barOf = (run) => (bars[run.before][variant] + bars[run.after][variant]) / 2;
		if (process.env.BENCH_VERBOSE) {
			console.error({ variant, bars: bars.map((b) => `${Math.round(b.plain)}/${Math.round(b.pipelined)}`) });
			for (const [kind, list] of Object.entries(runs)) console.error(kind, list.map((r) => `${Math.round(r.rate)} (${(r.rate / barOf(r)).toFixed(3)})`).join(' '));
		}
		const audit = await engine.audit('r');
		if (!audit.consistent) throw new Error(`audit after the bench: ${audit.problems.join('; ')}`);

		const bar = `bare one-HINCRBY EVALSHA${variant === 'pipelined' ? ' with auto-pipelining' : ''} before and after`;
		const row = (name, list, target) => {
			const ratio = median(list.map((r) => r.rate / barOf(r)));
			const value = median(list.map((r) => r.rate));
			return { name, value, unit: '/s', baseline: median(list.map(barOf)), ratio, ...(target ? { target: '≥ 0.5', met: ratio >= 0.5 } : {}) };
		};
		return [
			row(`store.redeem, ${IN_FLIGHT} in flight (÷ ${bar}), median of ${ROUNDS}`, runs.store, true),
			row(`engine.redeem (the store's redeem behind the engine's checks), ${IN_FLIGHT} in flight, for information, median of ${ROUNDS}`, runs.engine, false),
			row(`engine.redeem, codes of one of two campaigns whose codes share a shape, median of ${SHARED_ROUNDS}`, runs.shared, false),
			row(`engine.validate, ${IN_FLIGHT} in flight, median of ${VALIDATE_ROUNDS}`, runs.validate, false),
			{ name: `Redis memory per generated code (${codes.length} codes, used_memory)`, value: bytesPerCode, unit: 'bytes' },
		];
	} finally {
		admin?.disconnect();
		await engine?.close();
		await store?.close();
		await server.stop();
	}
}

module.exports = run;

if (require.main === module) {
	run().then(
		(rows) => console.table(rows),
		(err) => {
			console.error(err);
			process.exit(1);
		},
	);
}
