// 60 s of mixed load (validate : issue : redeem = 5 : 1 : 1) from 2 processes on each store, through a
// real Node-RED on loopback with Coupon Kit installed from the packed build (as the Palette Manager
// installs it). Reports throughput, p50/p99 per operation and errors, and checks the invariants at the
// end on an engine opened on the same store. The engine-API half of the same measurement is load.bench.js.
//
// The flow Node-RED runs (written to flows.json of a fresh user directory, credentials in flows_cred.json):
//
//   [http in POST /coupon] → [change: move msg.payload.operation to msg.operation]
//        → [coupon: Code, operation from msg (code.validate | code.issue), fields from msg.payload]
//        → [http response]                                        200 with the engine's answer
//   [catch: the coupon node] → [change: msg.statusCode = 500, msg.payload = msg.error.message] → [http response]
//
//   [coupon webhook POST /orders: body is an order, signing secret, Redeem the coupon codes used]
//        answers 200 itself: { received, topic, redemptions: [{ code, ok, reason }] }
//
//   both over one [coupon-kit-store]: the SQLite file, or Redis (appendonly yes, appendfsync everysec).
//
// Each load process (fixtures/webhookLoadWorker.js) keeps IN_FLIGHT requests going: validates of random
// codes of a pre-generated pool, issues of new codes, and signed orders that each use one pool code not
// used before (each process its own share). A redemption counts as acknowledged when the webhook's answer
// says `ok: true`; at the end `engine.audit()` must be consistent and its redeemed counter must equal the
// acknowledged redemptions.
//
// Bounded: LOAD_SECONDS (default 60) per store, at most LOAD_MAX_REQUESTS per process, 10 s per request;
// everything listens on 127.0.0.1 only. Standalone: `node test/bench/webhookLoad.bench.js` after
// `npm run build`; in the table with the others: `npm run bench -- webhookLoad`.
'use strict';
const { execFile } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { startRedis } = require('../setup/redis');
const { freePort, installInto, packProject, startNodeRed, writeSettings } = require('../../scripts/node-red-userdir');

const dist = join(__dirname, '..', '..', 'dist', 'core');
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const MAX_REQUESTS = Number(process.env.LOAD_MAX_REQUESTS ?? 2_000_000);
const POOL = Number(process.env.LOAD_POOL ?? 100_000);
const WORKERS = 2;
const IN_FLIGHT = 16;
const SECRET = 'load-bench-signing-secret';
const CAMPAIGN = 'load';

/** The flow above, over the given store config node (id `ck-load-store`). */
function loadFlow(storeNode) {
	const z = 'ck-load-tab';
	return [
		{ id: z, type: 'tab', label: 'Coupon Kit load' },
		{ id: 'ck-load-store', type: 'coupon-kit-store', name: 'load store', ...storeNode },
		{ id: 'ck-load-in', type: 'http in', z, name: 'validate / issue', url: '/coupon', method: 'post', upload: false, swaggerDoc: '', x: 140, y: 60, wires: [['ck-load-op']] },
		{
			id: 'ck-load-op',
			type: 'change',
			z,
			name: 'operation from the body',
			rules: [{ t: 'move', p: 'payload.operation', pt: 'msg', to: 'operation', tot: 'msg' }],
			x: 360,
			y: 60,
			wires: [['ck-load-coupon']],
		},
		{ id: 'ck-load-coupon', type: 'coupon', z, name: '', store: 'ck-load-store', resource: 'code', operation: 'msg', args: [], x: 560, y: 60, wires: [['ck-load-out']] },
		{ id: 'ck-load-out', type: 'http response', z, name: '', statusCode: '', headers: {}, x: 760, y: 60, wires: [] },
		{ id: 'ck-load-catch', type: 'catch', z, name: '', scope: ['ck-load-coupon'], uncaught: false, x: 140, y: 120, wires: [['ck-load-fail']] },
		{
			id: 'ck-load-fail',
			type: 'change',
			z,
			name: '500 with the error',
			rules: [
				{ t: 'set', p: 'statusCode', pt: 'msg', to: '500', tot: 'num' },
				{ t: 'set', p: 'payload', pt: 'msg', to: 'error.message', tot: 'msg' },
			],
			x: 360,
			y: 120,
			wires: [['ck-load-out']],
		},
		{ id: 'ck-load-hook', type: 'coupon webhook', z, name: 'orders', store: 'ck-load-store', url: '/orders', event: 'order', redeemCodes: true, scope: 'load', x: 140, y: 180, wires: [[]] },
	];
}

function runWorker(job) {
	return new Promise((resolve, reject) => {
		execFile(process.execPath, [join(__dirname, 'fixtures', 'webhookLoadWorker.js'), JSON.stringify(job)], { maxBuffer: 512 * 1024 * 1024, timeout: (SECONDS + 120) * 1000 }, (err, out, errOut) =>
			err ? reject(new Error(errOut || err.message)) : resolve(JSON.parse(out)),
		);
	});
}

const pct = (sorted, p) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]);

async function smokeTest(base) {
	const res = await fetch(`${base}/coupon`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ operation: 'code.validate', code: 'SMOKE-TEST' }),
		signal: AbortSignal.timeout(10_000),
	});
	if (res.status !== 200) throw new Error(`the flow does not answer: POST /coupon → ${res.status} ${await res.text()}`);
}

const say = (line) => process.stderr.write(`webhookLoad: ${line}\n`);

async function loadOn(name, { store, storeNode, credentials }, userDir, dir) {
	const { openEngine } = require(dist);
	say(`${name}: ${POOL} codes for the pool`);
	const engine = await openEngine({ store });
	await engine.createCampaign({ id: CAMPAIGN, code: { length: 12 }, discount: { type: 'percent', value: 10 }, limits: { perCode: 1 } });
	const pool = [];
	for await (const batch of engine.generate({ campaignId: CAMPAIGN, count: POOL, batchSize: 10_000 })) pool.push(...batch);
	await engine.close();
	const codesFile = join(dir, `${name.replace(/\W+/g, '-')}-codes.txt`);
	writeFileSync(codesFile, pool.join('\n'));

	writeFileSync(join(userDir, 'flows.json'), JSON.stringify(loadFlow(storeNode), null, '\t'));
	// Plain credentials are read at start (Node-RED encrypts them when it next saves).
	writeFileSync(join(userDir, 'flows_cred.json'), JSON.stringify({ 'ck-load-store': credentials, 'ck-load-hook': { secret: SECRET } }, null, '\t'));
	const log = [];
	say(`${name}: starting Node-RED`);
	const red = await startNodeRed({ userDir, port: await freePort(), log: (line) => log.push(line) });
	let results;
	try {
		await smokeTest(red.url);
		say(`${name}: ${WORKERS} processes × ${IN_FLIGHT} in flight for ${SECONDS} s at ${red.url}`);
		results = await Promise.all(
			Array.from({ length: WORKERS }, (_, index) =>
				runWorker({ base: red.url, secret: SECRET, codesFile, campaignId: CAMPAIGN, seconds: SECONDS, maxRequests: MAX_REQUESTS, inFlight: IN_FLIGHT, workers: WORKERS, index }),
			),
		);
	} catch (err) {
		throw new Error(`${name}: ${err.message}\nNode-RED said:\n${log.slice(-30).join('\n')}`);
	} finally {
		await red.stop();
	}

	say(`${name}: audit`);
	const check = await openEngine({ store });
	const audit = await check.audit(CAMPAIGN);
	await check.close();

	const rows = [];
	let total = 0;
	for (const op of ['validate', 'issue', 'redeem']) {
		const all = results.flatMap((r) => r.lat[op]).sort((a, b) => a - b);
		total += all.length;
		rows.push({ name: `${name} ${op}: throughput`, value: all.length / SECONDS, unit: '/s' });
		rows.push({ name: `${name} ${op}: p50 / p99`, value: `${pct(all, 0.5).toFixed(2)} / ${pct(all, 0.99).toFixed(2)}`, unit: 'ms' });
	}
	const errorKinds = {};
	for (const r of results) for (const [what, n] of Object.entries(r.errors)) errorKinds[what] = (errorKinds[what] ?? 0) + n;
	const errors = Object.values(errorKinds).reduce((a, b) => a + b, 0);
	const redeemed = results.reduce((n, r) => n + r.redeemed, 0);
	if (errors > 0) process.stderr.write(`${name} errors: ${Object.entries(errorKinds).map(([k, n]) => `${n}× ${k}`).join('; ')}\n`);
	const holds = audit.consistent && audit.redeemedCounter === redeemed;
	rows.push({ name: `${name} all operations`, value: total / SECONDS, unit: '/s' });
	rows.push({
		name: `${name} errors`,
		value: errors,
		unit: '',
		target: '0',
		met: errors === 0,
	});
	rows.push({
		name: `${name} invariants (audit; redeemed = acknowledged ${redeemed})`,
		value: holds ? 'hold' : `BROKEN: counter ${audit.redeemedCounter}; ${audit.problems.join('; ')}`,
		unit: '',
		target: 'hold',
		met: holds,
	});
	return rows;
}

async function run() {
	const dir = mkdtempSync(join(tmpdir(), 'ck-webhook-load-'));
	const userDir = join(dir, 'node-red');
	const redis = await startRedis(['--appendonly', 'yes', '--appendfsync', 'everysec']);
	try {
		say('packing the build and installing it into a Node-RED user directory');
		installInto(userDir, packProject(join(dir, 'pack')));
		writeSettings(userDir);
		const sqlitePath = join(dir, 'load.db');
		return [
			...(await loadOn('Node-RED SQLite', { store: { type: 'sqlite', path: sqlitePath }, storeNode: { mode: 'embedded', path: sqlitePath }, credentials: {} }, userDir, dir)),
			...(await loadOn(
				'Node-RED Redis (AOF everysec)',
				{ store: { type: 'redis', url: redis.url, keyPrefix: 'load:' }, storeNode: { mode: 'redis', keyPrefix: 'load:' }, credentials: { url: redis.url } },
				userDir,
				dir,
			)),
		];
	} finally {
		await redis.stop();
		rmSync(dir, { recursive: true, force: true });
	}
}

module.exports = run;
if (require.main === module) {
	run().then(
		(rows) => console.table(rows),
		(err) => {
			console.error(err);
			process.exitCode = 1;
		},
	);
}
