// Secrets never leave Node-RED's side of Coupon Kit: known secret strings go in through every credential
// that holds one (coupon-kit-store: Redis URL and password; coupon-kit-webhook: signing secret and
// Authorization; coupon webhook: signing secret), every error path is provoked for real, and everything
// that comes out is scanned — messages (caught errors with their causes), node.error / warn / log and
// status calls, RED.log, HTTP answers of the webhook endpoint, the console and the process streams,
// and the ledger.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Redis from 'ioredis';

import { openEngine } from '../../core';
import { signatureHeaderValue } from '../../core/platforms/webhook';
import couponNode from '../../nodes/node-red/coupon/coupon';
import webhookConfigNode from '../../nodes/node-red/coupon-kit-webhook/coupon-kit-webhook';
import platformNode from '../../nodes/node-red/coupon-platform/coupon-platform';
import triggerNode from '../../nodes/node-red/coupon-trigger/coupon-trigger';
import webhookNode from '../../nodes/node-red/coupon-webhook/coupon-webhook';
import type { CouponKitStoreNode } from '../../nodes/node-red/lib/store';
import { type FlowNode, type Msg, type TestNode, catchAll, firstOf, helper, inTab, modules, tmpUserDir } from '../node-red/helpers/flow';
import { makeSecret, Recorder } from './helpers/leaks';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startRedis, freePort } = require('../setup/redis') as {
	startRedis(args: string[]): Promise<{ url: string; port: number; stop(): Promise<void> }>;
	freePort(): Promise<number>;
};

const URL_PASS = makeSecret('redis-url', '-p@ss/w:rd');
const PASS = makeSecret('redis-pass');
const RIGHT = makeSecret('redis-right');
const ROTATED = makeSecret('redis-rotated');
const SIGNING = makeSecret('signing');
const TOKEN = makeSecret('auth-header');
const AUTH = `Bearer ${TOKEN}`;
const BASIC_PASS = makeSecret('basic-pass');
const BASIC = `Basic ${Buffer.from(`shop:${BASIC_PASS}`).toString('base64')}`;
const HOOK_SECRET = makeSecret('webhook-node');
const SECRETS = [URL_PASS, PASS, RIGHT, ROTATED, SIGNING, TOKEN, AUTH, BASIC_PASS, BASIC, HOOK_SECRET];

const rec = new Recorder();
let closedPort: number;
let locked: { url: string; port: number; stop(): Promise<void> };
let rotating: { url: string; port: number; stop(): Promise<void> };

// ---------- a receiver that echoes what it got ----------

let receiver: Server;
let receiverBase: string;
let answer: { status: number; as: 'json' | 'text' } = { status: 200, as: 'json' };

function echo(req: IncomingMessage, body: string): { type: string; text: string } {
	const auth = String(req.headers.authorization ?? '');
	const token = auth.replace(/^\S+\s+/, '');
	const decoded = /^Basic /i.test(auth) ? Buffer.from(token, 'base64').toString('utf8') : '';
	if (answer.as === 'text') return { type: 'text/plain', text: `no to ${auth} (token ${token}, user:pass ${decoded}, base64 ${Buffer.from(token).toString('base64')})` };
	return { type: 'application/json', text: JSON.stringify({ error: 'not allowed', youSent: req.headers, body, token, decoded, tokenInUrl: `https://x/?t=${encodeURIComponent(token)}` }) };
}

// ---------- Node-RED with real message texts ----------

/** The runtime the test helper gives nodes returns message keys as they are; nodes get the real texts. */
function localeTexts(): Record<string, unknown> {
	const root = join(__dirname, '..', '..', 'nodes', 'node-red');
	const texts: Record<string, unknown> = {};
	for (const dir of readdirSync(root)) {
		const folder = join(root, dir, 'locales', 'en-US');
		let files: string[] = [];
		try {
			files = readdirSync(folder).filter((f) => f.endsWith('.json'));
		} catch {
			continue;
		}
		for (const file of files) Object.assign(texts, JSON.parse(readFileSync(join(folder, file), 'utf8')) as Record<string, unknown>);
	}
	return texts;
}
const TEXTS = localeTexts();

function translate(key: string, subs: Record<string, unknown> = {}): string {
	const found = key.split('.').reduce<unknown>((at, part) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined), TEXTS);
	const template = typeof found === 'string' ? found : `${key}${Object.keys(subs).length ? ` ${JSON.stringify(subs)}` : ''}`;
	return template.replace(/__([a-zA-Z0-9]+)__/g, (_m, name: string) => String(subs[name] ?? ''));
}

const realTexts = (RED: { _: unknown }): void => {
	RED._ = translate;
};

let httpApp: RequestListener | null = null;
const captureHttpNode = (RED: { httpNode: RequestListener }): void => {
	httpApp = RED.httpNode;
};

const MODULES = [
	realTexts as (RED: never) => void,
	captureHttpNode as (RED: never) => void,
	modules.storeNode,
	webhookConfigNode,
	couponNode,
	triggerNode,
	webhookNode,
	platformNode,
	modules.catchNode,
];

type Spy = { getCalls(): Array<{ args: unknown[]; thisValue?: { id?: string; type?: string } }> };
const PROTO_METHODS = ['log', 'status', 'warn', 'error', 'debug', 'trace', 'send'];

let endpoint: Server | null = null;
let endpointBase = '';

/** Deploys the flow; the webhook endpoint is served on a loopback port of its own. */
async function deploy(nodes: FlowNode[], config: FlowNode[], credentials: Record<string, Record<string, unknown>>): Promise<void> {
	httpApp = null;
	const inputs = nodes.filter((n) => ['coupon', 'coupon trigger', 'coupon platform'].includes(n.type)).map((n) => n.id);
	const watchers: FlowNode[] = [
		catchAll(['caught']),
		{ id: 'caught', type: 'helper' },
		{ id: 'completes', type: 'complete', scope: inputs, uncaught: false, wires: [['completed']] },
		{ id: 'completed', type: 'helper' },
	];
	await helper.load([...MODULES, modules.completeNode], inTab([...nodes, ...watchers], config), credentials);
	endpoint = createServer((req, res) => (httpApp as RequestListener)(req, res));
	await new Promise<void>((resolve) => (endpoint as Server).listen(0, '127.0.0.1', resolve));
	endpointBase = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`;
}

/** Records every node method call (error, warn, log, status, send) and RED.log, then stops the flow. */
async function undeploy(label: string): Promise<void> {
	// Node-RED reports node method calls on the next tick; let the last ones land.
	await new Promise((resolve) => setTimeout(resolve, 50));
	const proto = (helper as unknown as { _NodePrototype: Record<string, Spy> })._NodePrototype;
	for (const method of PROTO_METHODS) {
		for (const call of proto[method]?.getCalls?.() ?? []) rec.add(`${label}: node.${method} (${call.thisValue?.type ?? '?'})`, call.args);
	}
	rec.add(`${label}: RED.log`, helper.log().args);
	await helper.unload();
	if (endpoint) {
		endpoint.closeAllConnections();
		await new Promise<void>((resolve) => (endpoint as Server).close(() => resolve()));
		endpoint = null;
	}
}

/** Sends a message in; resolves when the node is done (complete) or failed (catch), with what it sent. */
async function outcomeOf(label: string, id: string, msg: Msg): Promise<{ msg?: Msg; error?: Msg }> {
	const out = helper.getNode('out') as TestNode;
	const sent: Msg[] = [];
	const collect = (m: Msg): void => void sent.push(m);
	out.on('input', collect);
	const ended = firstOf({ completed: helper.getNode('completed') as TestNode, caught: helper.getNode('caught') as TestNode });
	(helper.getNode(id) as TestNode).receive(msg);
	const end = await ended;
	// A message sent just before done() may still be on its way.
	await new Promise((resolve) => setImmediate(resolve));
	out.removeListener('input', collect);
	for (const m of sent) rec.add(`${label}: message`, m);
	if (end.id === 'caught') {
		rec.add(`${label}: caught error`, end.msg);
		return { error: end.msg };
	}
	return { msg: sent[0] ?? end.msg };
}

async function post(label: string, path: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
	const res = await fetch(`${endpointBase}${path}`, { method: 'POST', headers, body });
	const text = await res.text();
	const answerHeaders: Record<string, string> = {};
	res.headers.forEach((value, name) => {
		answerHeaders[name] = value;
	});
	rec.add(`${label}: HTTP answer`, { status: res.status, headers: answerHeaders, text });
	return { status: res.status, text };
}

function signed(body: unknown, secret = HOOK_SECRET, t = Math.floor(Date.now() / 1000)): { raw: string; headers: Record<string, string> } {
	const raw = JSON.stringify(body);
	return { raw, headers: { 'Content-Type': 'application/json', 'X-Coupon-Kit-Signature': signatureHeaderValue(secret, t, raw) } };
}

function expectNoLeaks(prefix = ''): void {
	expect(rec.leaks(SECRETS).filter((l) => l.where.startsWith(prefix))).toEqual([]);
}

beforeAll(async () => {
	rec.watchConsole();
	closedPort = await freePort();
	locked = await startRedis(['--requirepass', RIGHT]);
	rotating = await startRedis(['--requirepass', RIGHT]);
	receiver = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const { type, text } = echo(req, Buffer.concat(chunks).toString('utf8'));
			res.writeHead(answer.status, { 'Content-Type': type }).end(text);
		});
	});
	await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
	receiverBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
	helper.settings({ userDir: tmpUserDir() });
});

afterAll(async () => {
	helper.settings({});
	receiver.closeAllConnections();
	await new Promise<void>((resolve) => receiver.close(() => resolve()));
	await locked?.stop();
	await rotating?.stop();
	rec.restore();
});

// ---------- the store config node ----------

interface StoreCase {
	name: string;
	def: () => Record<string, unknown>;
	credentials: () => Record<string, unknown>;
	says: RegExp;
}

const enc = encodeURIComponent;

const failingStores: StoreCase[] = [
	{
		name: 'Redis URL with the password, closed port',
		def: () => ({ mode: 'redis' }),
		credentials: () => ({ url: `redis://:${enc(URL_PASS)}@127.0.0.1:${closedPort}/0` }),
		says: /ECONNREFUSED|cannot reach Redis/,
	},
	{
		name: 'host and port with a password, closed port',
		def: () => ({ mode: 'redis', host: '127.0.0.1', port: String(closedPort) }),
		credentials: () => ({ password: PASS }),
		says: /ECONNREFUSED|cannot reach Redis/,
	},
	{
		name: 'cluster with a password, closed port',
		def: () => ({ mode: 'redis', cluster: `127.0.0.1:${closedPort}` }),
		credentials: () => ({ username: 'default', password: PASS }),
		says: /cannot reach Redis/,
	},
	{
		name: 'Redis URL with a wrong password',
		def: () => ({ mode: 'redis' }),
		credentials: () => ({ url: `redis://:${enc(URL_PASS)}@127.0.0.1:${locked.port}` }),
		says: /WRONGPASS/,
	},
	{
		name: 'user and wrong password',
		def: () => ({ mode: 'redis', host: '127.0.0.1', port: String(locked.port) }),
		credentials: () => ({ username: 'default', password: PASS }),
		says: /WRONGPASS/,
	},
	{
		name: 'a Redis URL with its password in the Host field',
		def: () => ({ mode: 'redis', host: `redis://:${URL_PASS}@127.0.0.1`, port: String(locked.port) }),
		credentials: () => ({ password: PASS }),
		says: /host: must be a host name/,
	},
	{
		name: 'a Redis URL with its password in the Cluster field',
		def: () => ({ mode: 'redis', cluster: `redis://default:${enc(URL_PASS)}@127.0.0.1:${locked.port}` }),
		credentials: () => ({ password: PASS }),
		says: /cluster: each node must be host:port/,
	},
	{
		name: 'a URL of another scheme with a password',
		def: () => ({ mode: 'redis' }),
		credentials: () => ({ url: `https://:${enc(URL_PASS)}@127.0.0.1:${locked.port}` }),
		says: /url: must start with redis/,
	},
	{
		name: 'a URL that does not parse',
		def: () => ({ mode: 'redis' }),
		credentials: () => ({ url: `redis://:${PASS}@127.0.0.1:99999999` }),
		says: /url: is not a URL/,
	},
	{
		name: 'a bad port with a password',
		def: () => ({ mode: 'redis', host: '127.0.0.1', port: 'seventy' }),
		credentials: () => ({ password: PASS }),
		says: /port: must be a whole number/,
	},
];

/** Every node that uses the store, on one tab. */
function storeUsers(hookUrl: string): FlowNode[] {
	return [
		{ id: 'coupon', type: 'coupon', store: 'store', resource: 'campaign', operation: 'getMany', args: [], wires: [['out']] },
		{ id: 'trigger', type: 'coupon trigger', store: 'store', kind: 'cart', abandonAfterMinutes: '30', interval: '3600', wires: [['out']] },
		{ id: 'hook', type: 'coupon webhook', store: 'store', url: hookUrl, event: 'order', redeemCodes: true, wires: [['out']] },
		{ id: 'send', type: 'coupon platform', platform: 'webhook', webhook: 'wh', action: 'send', event: 'coupon.issued', recordDelivery: true, store: 'store', wires: [['out']] },
		{ id: 'out', type: 'helper' },
	];
}

const ORDER = { kind: 'order', orderId: 'o-1', total: 150, currency: 'EUR', customerId: 'ann', codes: ['NOPE-1234'] };
const CART = { cart_token: 'k-1', customer_id: 'c-1', email: 'ana@example.com', total_price: '120.00', currency: 'EUR' };

async function useStore(label: string): Promise<Array<{ msg?: Msg; error?: Msg }>> {
	answer = { status: 200, as: 'json' };
	const results = [
		await outcomeOf(`${label} / coupon`, 'coupon', { payload: {} }),
		await outcomeOf(`${label} / trigger`, 'trigger', { payload: CART }),
		await outcomeOf(`${label} / platform`, 'send', { payload: { code: 'SPRING-1' } }),
	];
	const order = signed(ORDER);
	await post(`${label} / webhook`, '/orders', order.raw, order.headers);
	return results;
}

describe('coupon-kit-store: every failure, no secret', () => {
	test.each(failingStores.map((c) => [c.name, c] as const))('%s', async (name, c) => {
		await deploy(storeUsers('/orders'), [{ id: 'store', type: 'coupon-kit-store', keyPrefix: 'nr:', ...c.def() }, { id: 'wh', type: 'coupon-kit-webhook', url: `${receiverBase}/hook`, method: 'POST' }], {
			store: c.credentials(),
			wh: { secret: SIGNING, authorization: AUTH },
			hook: { secret: HOOK_SECRET },
		});
		try {
			const results = await useStore(name);
			for (const r of results) expect(r.error?.error?.message).toMatch(c.says);
		} finally {
			await undeploy(name);
		}
		expect(rec.count(`${name}: node.error`)).toBeGreaterThan(0);
		expectNoLeaks(name);
	}, 60_000);

	test('the right password: operations, the ledger, nothing shown', async () => {
		const label = 'right password';
		await deploy(storeUsers('/orders'), [{ id: 'store', type: 'coupon-kit-store', mode: 'redis', host: '127.0.0.1', port: String(locked.port), keyPrefix: 'ok:' }, { id: 'wh', type: 'coupon-kit-webhook', url: `${receiverBase}/hook`, method: 'POST' }], {
			store: { password: RIGHT },
			wh: { secret: SIGNING, authorization: AUTH },
			hook: { secret: HOOK_SECRET },
		});
		try {
			const engine = await (helper.getNode('store') as unknown as CouponKitStoreNode).engine();
			await engine.createCampaign({ id: 'spring', discount: { type: 'percent', value: 10 } });
			const issued = await engine.issue({ campaignId: 'spring' });
			if (!issued.ok) throw new Error(issued.reason);
			rec.add(`${label}: where`, (helper.getNode('store') as unknown as CouponKitStoreNode).where);
			const results = await useStore(label);
			// The platform sends, then cannot record a delivery of a code that does not exist.
			expect(results.map((r) => (r.error ? `error ${r.error.error?.message}` : 'ok'))).toEqual(['ok', 'ok', 'error NotFoundError: code "SPRING1" does not exist']);
			const sent = await outcomeOf(`${label} / platform with code`, 'send', { payload: { code: issued.code } });
			expect(sent.msg?.payload).toMatchObject({ ok: true, statusCode: 200 });
			const order = signed({ ...ORDER, orderId: 'o-2', codes: [issued.code] });
			expect((await post(`${label} / webhook with code`, '/orders', order.raw, order.headers)).status).toBe(200);
		} finally {
			await undeploy(label);
		}
		const engine = await openEngine({ store: { type: 'redis', host: '127.0.0.1', port: locked.port, password: RIGHT, keyPrefix: 'ok:' } });
		try {
			const events = await engine.events();
			expect(events.events.map((e) => e.type)).toEqual(expect.arrayContaining(['issued', 'delivered', 'redeemed']));
			rec.add(`${label}: ledger`, events);
		} finally {
			await engine.close();
		}
		expectNoLeaks(label);
	}, 60_000);

	test('the server password changes while Node-RED runs', async () => {
		const label = 'rotated';
		await deploy(storeUsers('/orders'), [{ id: 'store', type: 'coupon-kit-store', mode: 'redis', keyPrefix: 'rot:' }, { id: 'wh', type: 'coupon-kit-webhook', url: `${receiverBase}/hook`, method: 'POST' }], {
			store: { url: `redis://:${enc(RIGHT)}@127.0.0.1:${rotating.port}` },
			wh: { secret: SIGNING, authorization: AUTH },
			hook: { secret: HOOK_SECRET },
		});
		const admin = new Redis(rotating.port, '127.0.0.1', { password: RIGHT, lazyConnect: true });
		try {
			await (helper.getNode('store') as unknown as CouponKitStoreNode).engine();
			await admin.connect();
			await admin.config('SET', 'requirepass', ROTATED);
			// Open connections stay; the webhook node opens its trigger state now and is refused.
			const order = signed(ORDER);
			expect((await post(`${label} / webhook`, '/orders', order.raw, order.headers)).status).toBe(500);
			// Every connection dropped: the engine and the trigger node's state reconnect with the old password.
			await admin.client('KILL', 'TYPE', 'normal');
			const trig = await outcomeOf(`${label} / trigger`, 'trigger', { payload: CART });
			expect(trig.error?.error?.message).toEqual(expect.any(String));
			const coupon = await outcomeOf(`${label} / coupon after`, 'coupon', { payload: {} });
			expect(coupon.error?.error?.message).toMatch(/Redis/);
		} finally {
			admin.disconnect();
			await undeploy(label);
		}
		expect(rec.texts(`${label}: node.error`).join('\n')).toMatch(/trigger store: WRONGPASS/);
		expectNoLeaks(label);
	}, 60_000);
});

// ---------- the outbound webhook (coupon platform) ----------

describe('coupon platform (signed webhook): every failure, no secret', () => {
	const sets: Array<[string, string]> = [
		['bearer', AUTH],
		['basic', BASIC],
	];

	async function platformFlow(url: string, authorization: string): Promise<void> {
		await deploy(
			[
				{ id: 'send', type: 'coupon platform', platform: 'webhook', webhook: 'wh', action: 'send', event: 'coupon.issued', wires: [['out']] },
				{ id: 'out', type: 'helper' },
			],
			[{ id: 'wh', type: 'coupon-kit-webhook', url, method: 'POST' }],
			{ wh: { secret: SIGNING, authorization } },
		);
	}

	describe.each(sets)('Authorization %s', (kind, authorization) => {
		test.each([
			[401, 'json'],
			[500, 'text'],
			[403, 'text'],
			[200, 'json'],
		] as const)('the receiver answers %i echoing what it got (%s)', async (status, as) => {
			const label = `platform ${kind} ${status} ${as}`;
			answer = { status, as };
			await platformFlow(`${receiverBase}/hook`, authorization);
			try {
				const result = await outcomeOf(label, 'send', { payload: { code: 'SPRING-1' } });
				if (status === 200) expect(result.msg?.payload).toMatchObject({ ok: true, statusCode: 200 });
				else expect(result.error?.error?.message).toMatch(new RegExp(`webhook: ${status} `));
			} finally {
				await undeploy(label);
			}
			expectNoLeaks(label);
		});

		test('the receiver refuses the connection; a URL of another scheme', async () => {
			const label = `platform ${kind} refused`;
			await platformFlow(`http://127.0.0.1:${closedPort}/hook`, authorization);
			try {
				const result = await outcomeOf(label, 'send', { payload: { code: 'SPRING-1' } });
				expect(result.error?.error?.message).toMatch(/ECONNREFUSED/);
			} finally {
				await undeploy(label);
			}
			await platformFlow('ftp://127.0.0.1/hook', authorization);
			try {
				const result = await outcomeOf(`${label} ftp`, 'send', { payload: { code: 'SPRING-1' } });
				expect(result.error?.error?.message).toMatch(/url: must start with https/);
			} finally {
				await undeploy(`${label} ftp`);
			}
			expectNoLeaks(label);
		});
	});
});

// ---------- the inbound webhook (coupon webhook) ----------

describe('coupon webhook: refused deliveries, no secret', () => {
	test('bad, missing, malformed and stale signatures, the secret as the header, bad bodies', async () => {
		const label = 'inbound';
		const dir = tmpUserDir();
		await deploy(
			[
				{ id: 'hook', type: 'coupon webhook', store: 'store', url: '/orders', event: 'order', redeemCodes: true, wires: [['out']] },
				{ id: 'out', type: 'helper' },
			],
			[{ id: 'store', type: 'coupon-kit-store', mode: 'embedded', path: join(dir, 'c.db') }],
			{ hook: { secret: HOOK_SECRET } },
		);
		try {
			const now = Math.floor(Date.now() / 1000);
			const good = signed(ORDER);
			const forged = signed(ORDER, `${HOOK_SECRET}x`);
			const sends: Array<[string, string, Record<string, string>]> = [
				['wrong secret', forged.raw, forged.headers],
				['missing', good.raw, { 'Content-Type': 'application/json' }],
				['malformed', good.raw, { 'Content-Type': 'application/json', 'X-Coupon-Kit-Signature': `t=${now},v1=${HOOK_SECRET}` }],
				['secret as the header', good.raw, { 'Content-Type': 'application/json', 'X-Coupon-Kit-Signature': HOOK_SECRET }],
				['stale', signed(ORDER, HOOK_SECRET, now - 3600).raw, signed(ORDER, HOOK_SECRET, now - 3600).headers],
				['not JSON', 'not json', signed('x').headers],
				['wrong type', good.raw, { ...good.headers, 'Content-Type': 'text/plain' }],
				['a field missing', signed({ kind: 'order', orderId: 'o-9' }).raw, signed({ kind: 'order', orderId: 'o-9' }).headers],
			];
			for (const [name, body, headers] of sends) {
				const res = await post(`${label} ${name}`, '/orders', body, headers);
				expect(res.status).toBeGreaterThanOrEqual(400);
			}
			const ok = await post(`${label} genuine`, '/orders', good.raw, good.headers);
			expect(ok.status).toBe(200);
		} finally {
			await undeploy(label);
		}
		expectNoLeaks(label);
	});
});

// ---------- everything ----------

test('no secret anywhere: messages, node calls, RED.log, HTTP answers, console, stdout and stderr', () => {
	expect(rec.count('')).toBeGreaterThan(50);
	expect(rec.texts('').some((t) => /WRONGPASS/.test(t))).toBe(true);
	expect(rec.texts('').some((t) => /ECONNREFUSED/.test(t))).toBe(true);
	expectNoLeaks();
});
