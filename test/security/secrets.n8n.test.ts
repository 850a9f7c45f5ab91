// Secrets never leave n8n's side of Coupon Kit: known secret strings go in through every credential
// field that holds one (Coupon Kit Store: Redis URL and password; Coupon Kit Webhook: signing secret and
// Authorization header), every error path is provoked for real, and everything that comes out is
// scanned — outputs, thrown errors with their cause chains, credential test results, webhook answers,
// n8n's log (LoggerProxy), the console and the process streams, and the ledger.
import { CredentialTestContext } from 'n8n-core';
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters, Logger } from 'n8n-workflow';
import { LoggerProxy } from 'n8n-workflow';
import nock from 'nock';
import Redis from 'ioredis';

import { makeWorkflow, runWorkflow } from '../n8n/helpers/harness';
import { pollTrigger } from '../n8n/helpers/poll';
import { sqliteCredentials } from '../n8n/helpers/stores';
import { deliver } from '../n8n/helpers/webhook';
import { allTypes, chain, COUPON, node, PLATFORM, STORE_REF, TRIGGER, WEBHOOK_TRIGGER } from '../n8n/helpers/workflows';
import { openEngine } from '../../core';
import { signatureHeaderValue } from '../../core/platforms/webhook';
import { Coupon } from '../../nodes/n8n/Coupon/Coupon.node';
import { releaseAllEngines } from '../../nodes/n8n/shared/store';
import { closeAllTriggers } from '../../nodes/n8n/shared/triggers';
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
const TRIGGER_SECRET = makeSecret('trigger');
const SECRETS = [URL_PASS, PASS, RIGHT, ROTATED, SIGNING, TOKEN, AUTH, BASIC_PASS, BASIC, TRIGGER_SECRET];

const rec = new Recorder();
let closedPort: number;
let locked: { url: string; port: number; stop(): Promise<void> };
let rotating: { url: string; port: number; stop(): Promise<void> };

const capturingLogger = (): Logger => {
	const at = (level: string) => (message: string, meta?: object) => rec.add(`n8n log ${level}`, { message, meta });
	return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), verbose: at('verbose'), scoped: () => capturingLogger() } as unknown as Logger;
};

/** n8n-core makes its own (silent) root logger on first use, which takes LoggerProxy back: take it again. */
function captureN8nLog(): void {
	LoggerProxy.init(capturingLogger());
}

beforeAll(async () => {
	rec.watchConsole();
	closedPort = await freePort();
	locked = await startRedis(['--requirepass', RIGHT]);
	rotating = await startRedis(['--requirepass', RIGHT]);
	nock.disableNetConnect();
	// Redis is raw TCP (nock does not see it); HTTP to loopback is let through for "connection refused".
	nock.enableNetConnect((host: string) => host.startsWith('127.0.0.1'));
});

afterAll(async () => {
	nock.cleanAll();
	nock.enableNetConnect();
	nock.restore();
	await closeAllTriggers();
	await releaseAllEngines();
	await locked?.stop();
	await rotating?.stop();
	rec.restore();
});

afterEach(() => nock.cleanAll());

function expectNoLeaks(prefix = ''): void {
	const leaks = rec.leaks(SECRETS).filter((l) => l.where.startsWith(prefix));
	expect(leaks).toEqual([]);
}

// ---------- running our nodes the way n8n does ----------

const CREDENTIAL_REFS = { ...STORE_REF, couponKitWebhookApi: { id: 'wh-1', name: 'Webhook' } };

/** One node in a real execution; records the whole run (run data, errors with causes) and the output. */
async function runNode(label: string, type: string, parameters: INodeParameters, credentials: Record<string, ICredentialDataDecryptedObject>, input: IDataObject[] = [{}], extra = {}) {
	const only = node('Node', type, parameters, { credentials: CREDENTIAL_REFS, ...extra });
	captureN8nLog();
	const result = await runWorkflow(chain(only), { nodeTypes: allTypes(), credentials, input: input.map((json) => ({ json })) });
	const error = result.nodeError('Node') as (Error & { description?: string }) | undefined;
	rec.add(`${label}: run`, result.run);
	if (error) {
		rec.add(`${label}: error`, error);
		rec.add(`${label}: error JSON`, JSON.stringify(error));
		rec.add(`${label}: error message and description`, `${error.message}\n${error.description ?? ''}`);
	}
	const json = error ? [] : result.json('Node');
	rec.add(`${label}: output`, json);
	return { error, json, status: result.run.status };
}

async function credentialTest(label: string, data: ICredentialDataDecryptedObject) {
	const description = new Coupon().nodeVersions[1].description;
	const name = String(description.credentials?.find((c) => c.name === 'couponKitStoreApi')?.testedBy);
	const fn = new Coupon().nodeVersions[1].methods?.credentialTest?.[name];
	if (!fn) throw new Error(`no credential test ${name}`);
	captureN8nLog();
	const result = await fn.call(new CredentialTestContext(), { id: 'c1', name: 'Store', type: 'couponKitStoreApi', data });
	rec.add(`${label}: credential test`, result);
	return result;
}

function signedOrder(orderId: string, secret = TRIGGER_SECRET, t = Math.floor(Date.now() / 1000)) {
	const body: IDataObject = { kind: 'order', orderId, customerId: 'ann', email: 'ann@example.com', total: 150, currency: 'EUR', codes: ['NOPE-1234'] };
	const rawBody = JSON.stringify(body);
	return { body, rawBody, headers: { 'Content-Type': 'application/json', 'X-Coupon-Kit-Signature': signatureHeaderValue(secret, t, rawBody) } };
}

async function webhookTrigger(label: string, store: ICredentialDataDecryptedObject, request: ReturnType<typeof signedOrder> | { body: IDataObject; headers?: Record<string, string>; rawBody?: string }) {
	const trig = node('Shop events', WEBHOOK_TRIGGER, { events: ['purchaseOverThreshold', 'orderWithCode'], thresholdAmount: 100, thresholdCurrency: 'EUR', options: { scope: 'secrets' } }, {
		credentials: CREDENTIAL_REFS,
		webhookId: 'b9f2c1d0-0000-4000-8000-00000000c0de',
	});
	const workflow = makeWorkflow({ nodes: [trig], connections: {} }, allTypes());
	try {
		captureN8nLog();
		const delivery = await deliver(workflow, trig, { couponKitStoreApi: store, couponKitWebhookApi: { secret: TRIGGER_SECRET } }, request);
		rec.add(`${label}: webhook answer`, delivery);
		return { delivery, error: undefined };
	} catch (error) {
		rec.add(`${label}: webhook error`, error);
		return { delivery: undefined, error: error as Error };
	}
}

async function pollCartTrigger(label: string, store: ICredentialDataDecryptedObject) {
	const trig = node('When due', TRIGGER, { event: 'cartAbandoned', scope: 'secrets' }, { credentials: STORE_REF });
	const workflow = makeWorkflow({ nodes: [trig], connections: {} }, allTypes());
	try {
		captureN8nLog();
		const out = await pollTrigger(workflow, trig, { couponKitStoreApi: store });
		rec.add(`${label}: poll`, out);
		return { out, error: undefined };
	} catch (error) {
		rec.add(`${label}: poll error`, error);
		return { out: undefined, error: error as Error };
	}
}

// ---------- the store credential ----------

const enc = encodeURIComponent;

interface StoreCase {
	name: string;
	data: () => ICredentialDataDecryptedObject;
	/** What the failure says (proves the path was taken). */
	says: RegExp;
}

const failingStores: StoreCase[] = [
	{
		name: 'Redis URL with the password, closed port',
		data: () => ({ mode: 'redis', connection: 'url', url: `redis://:${enc(URL_PASS)}@127.0.0.1:${closedPort}/0` }),
		says: /ECONNREFUSED|cannot reach Redis/,
	},
	{
		name: 'host and port with a password, closed port',
		data: () => ({ mode: 'redis', connection: 'hostPort', host: '127.0.0.1', port: closedPort, password: PASS }),
		says: /ECONNREFUSED|cannot reach Redis/,
	},
	{
		name: 'cluster nodes with a password, closed port',
		data: () => ({ mode: 'redis', connection: 'cluster', cluster: `127.0.0.1:${closedPort}`, username: 'default', password: PASS }),
		says: /cannot reach Redis/,
	},
	{
		name: 'Redis URL with a wrong password',
		data: () => ({ mode: 'redis', connection: 'url', url: `redis://:${enc(URL_PASS)}@127.0.0.1:${locked.port}` }),
		says: /WRONGPASS/,
	},
	{
		name: 'user and wrong password',
		data: () => ({ mode: 'redis', connection: 'hostPort', host: '127.0.0.1', port: locked.port, username: 'default', password: PASS }),
		says: /WRONGPASS/,
	},
	{
		name: 'a Redis URL with its password typed into the Host field',
		data: () => ({ mode: 'redis', connection: 'hostPort', host: `redis://:${URL_PASS}@127.0.0.1`, port: locked.port, password: PASS }),
		says: /Host/,
	},
	{
		name: 'a Redis URL with its password typed into Cluster Nodes',
		data: () => ({ mode: 'redis', connection: 'cluster', cluster: `redis://default:${enc(URL_PASS)}@127.0.0.1:${locked.port}`, password: PASS }),
		says: /Cluster Nodes/,
	},
	{
		name: 'a URL of another scheme with a password',
		data: () => ({ mode: 'redis', connection: 'url', url: `https://:${enc(URL_PASS)}@127.0.0.1:${locked.port}` }),
		says: /Redis URL/,
	},
	{
		name: 'a URL that does not parse',
		data: () => ({ mode: 'redis', connection: 'url', url: `redis://:${PASS}@127.0.0.1:99999999` }),
		says: /Redis URL/,
	},
	{
		name: 'a bad port with a password',
		data: () => ({ mode: 'redis', connection: 'hostPort', host: '127.0.0.1', port: 'seventy', password: PASS }),
		says: /Port/,
	},
];

describe('Coupon Kit Store credential: every failure, no secret', () => {
	describe.each(failingStores.map((c) => [c.name, c] as const))('%s', (name, c) => {
		test('credential test', async () => {
			const result = await credentialTest(name, c.data());
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(c.says);
			expectNoLeaks(name);
		}, 30_000);

		test('Coupon node: error, and error as data (continue on fail)', async () => {
			const failed = await runNode(`${name} / coupon`, COUPON, { resource: 'campaign', operation: 'getMany' }, { couponKitStoreApi: c.data() });
			expect(failed.status).toBe('error');
			expect(`${failed.error?.message} ${failed.error?.description}`).toMatch(c.says);
			const continued = await runNode(`${name} / coupon, continue`, COUPON, { resource: 'code', operation: 'validate', code: 'ABCD-1234' }, { couponKitStoreApi: c.data() }, [{}, {}], {
				onError: 'continueRegularOutput',
			});
			expect(continued.json).toHaveLength(2);
			expect(continued.json[0].error).toEqual(expect.any(String));
			expectNoLeaks(name);
		}, 30_000);

		test('Coupon Webhook Trigger with a good signature, and Coupon Trigger', async () => {
			const hook = await webhookTrigger(`${name} / webhook trigger`, c.data(), signedOrder(`o-${name.length}`));
			expect(hook.error?.message ?? JSON.stringify(hook.delivery)).toMatch(/Could not open|Coupon Kit Store credential/);
			const poll = await pollCartTrigger(`${name} / coupon trigger`, c.data());
			expect(poll.error).toBeDefined();
			expectNoLeaks(name);
		}, 30_000);
	});

	test('the right password: the credential test, operations and the ledger', async () => {
		const data = { mode: 'redis', connection: 'hostPort', host: '127.0.0.1', port: locked.port, password: RIGHT, prefix: 'ok:' };
		const ok = await credentialTest('right password', data);
		expect(ok).toEqual({ status: 'OK', message: `Connected to the Redis server at 127.0.0.1:${locked.port} (0 campaigns)` });
		const viaUrl = await credentialTest('right password in URL', { mode: 'redis', connection: 'url', url: `redis://:${enc(RIGHT)}@127.0.0.1:${locked.port}/0` });
		expect(viaUrl.status).toBe('OK');
		const created = await runNode('right password / create', COUPON, { resource: 'campaign', operation: 'create', campaignId: 'spring', discountType: 'percent', discountValue: 10 }, { couponKitStoreApi: data });
		expect(created.error).toBeUndefined();
		const issued = await runNode('right password / issue', COUPON, { resource: 'code', operation: 'issue', campaignId: 'spring' }, { couponKitStoreApi: data }, [{}, {}]);
		expect(issued.json).toHaveLength(2);
		const guessed = await runNode('right password / validate', COUPON, { resource: 'code', operation: 'validate', code: 'WRONG-CODE' }, { couponKitStoreApi: data });
		expect(guessed.json[0]).toMatchObject({ valid: false });
		const events = await runNode('right password / events', COUPON, { resource: 'analytics', operation: 'events' }, { couponKitStoreApi: data });
		expect(events.error).toBeUndefined();
		const engine = await openEngine({ store: { type: 'redis', host: '127.0.0.1', port: locked.port, password: RIGHT, keyPrefix: 'ok:' } });
		try {
			rec.add('right password: ledger', await engine.events());
		} finally {
			await engine.close();
		}
		expectNoLeaks('right password');
	}, 30_000);

	test('a password for a Redis that asks for none (ioredis warns on the console)', async () => {
		const data = { mode: 'redis', connection: 'hostPort', host: '127.0.0.1', port: Number(new URL(String(process.env.REDIS_URL)).port), password: PASS, prefix: 'nopw:' };
		const result = await credentialTest('needless password', data);
		rec.add('needless password: result', result);
		await runNode('needless password / coupon', COUPON, { resource: 'campaign', operation: 'getMany' }, { couponKitStoreApi: data });
		expectNoLeaks('needless password');
	}, 30_000);

	test('the server password changes while n8n runs (open engine, new connections refused)', async () => {
		const data = { mode: 'redis', connection: 'url', url: `redis://:${enc(RIGHT)}@127.0.0.1:${rotating.port}`, prefix: 'rot:' };
		const before = await runNode('rotated / before', COUPON, { resource: 'campaign', operation: 'create', campaignId: 'r', discountType: 'freeShipping' }, { couponKitStoreApi: data });
		expect(before.error).toBeUndefined();
		const admin = new Redis(rotating.port, '127.0.0.1', { password: RIGHT, lazyConnect: true });
		await admin.connect();
		try {
			await admin.config('SET', 'requirepass', ROTATED);
			// The trigger state opens its own connection now: refused with the old password.
			const hook = await webhookTrigger('rotated / webhook trigger', data, signedOrder('rot-1'));
			const poll = await pollCartTrigger('rotated / coupon trigger', data);
			expect(hook.error).toBeDefined();
			expect(poll.error).toBeDefined();
			expect(rec.texts('rotated / webhook trigger').join('\n')).toMatch(/trigger store: WRONGPASS/);
			// Every existing connection is dropped: the engine reconnects with the old password.
			await admin.client('KILL', 'TYPE', 'normal');
			const after = await runNode('rotated / after', COUPON, { resource: 'campaign', operation: 'getMany' }, { couponKitStoreApi: data });
			rec.add('rotated / after: result', after);
		} finally {
			admin.disconnect();
		}
		expectNoLeaks('rotated');
	}, 60_000);
});

// ---------- the outbound webhook (Coupon Platform) ----------

function echoing(status: number, as: 'json' | 'text' = 'json') {
	const seen: Array<Record<string, string>> = [];
	nock('https://hooks.example.com')
		.post(/.*/)
		.reply(async (request: Request) => {
			const headers: Record<string, string> = {};
			request.headers.forEach((value, name) => {
				headers[name] = value;
			});
			seen.push(headers);
			const auth = headers.authorization ?? '';
			const token = auth.replace(/^\S+\s+/, '');
			const decoded = /^Basic /i.test(auth) ? Buffer.from(token, 'base64').toString('utf8') : '';
			const echo = { error: 'not allowed', youSent: headers, token, decoded, tokenBase64: Buffer.from(token).toString('base64'), tokenInUrl: `https://x/?t=${encodeURIComponent(token)}` };
			return as === 'json'
				? [status, JSON.stringify(echo), { 'Content-Type': 'application/json' }]
				: [status, `upstream said no to ${auth} (token ${token}, user:pass ${decoded})`, { 'Content-Type': 'text/plain' }];
		});
	return seen;
}

const send = (extra: INodeParameters = {}): INodeParameters => ({ platform: 'webhook', action: 'send', url: 'https://hooks.example.com/coupons', event: 'coupon.issued', ...extra });

describe('Coupon Platform (signed webhook): every failure, no secret', () => {
	const credentialSets: Array<[string, ICredentialDataDecryptedObject]> = [
		['bearer', { secret: SIGNING, authorization: AUTH }],
		['basic', { secret: SIGNING, authorization: BASIC }],
	];

	describe.each(credentialSets)('Authorization %s', (kind, webhookCreds) => {
		test.each([
			[401, 'json'],
			[500, 'text'],
			[403, 'text'],
		] as const)('the receiver answers %i echoing what it got (%s)', async (status, as) => {
			const label = `platform ${kind} ${status}`;
			const seen = echoing(status, as);
			const failed = await runNode(label, PLATFORM, send(), { couponKitWebhookApi: webhookCreds }, [{ code: 'SPRING-1' }]);
			expect(seen).toHaveLength(1);
			expect(seen[0].authorization).toBe(webhookCreds.authorization);
			expect(failed.error?.message).toBe(`webhook: https://hooks.example.com answered ${status}`);
			echoing(status, as);
			const continued = await runNode(`${label} continue`, PLATFORM, send(), { couponKitWebhookApi: webhookCreds }, [{ code: 'SPRING-1' }], { onError: 'continueRegularOutput' });
			expect(continued.json[0].error).toEqual(expect.any(String));
			expectNoLeaks(label);
		});

		test('the receiver answers 200 echoing what it got', async () => {
			const label = `platform ${kind} 200`;
			echoing(200);
			const ok = await runNode(label, PLATFORM, send(), { couponKitWebhookApi: webhookCreds }, [{ code: 'SPRING-1' }]);
			expect(ok.json[0]).toMatchObject({ ok: true, statusCode: 200 });
			expectNoLeaks(label);
		});

		test('the receiver refuses the connection', async () => {
			const label = `platform ${kind} refused`;
			const failed = await runNode(label, PLATFORM, send({ url: `http://127.0.0.1:${closedPort}/hook` }), { couponKitWebhookApi: webhookCreds }, [{ code: 'SPRING-1' }]);
			expect(failed.error?.message).toBe(`Could not reach http://127.0.0.1:${closedPort}`);
			expectNoLeaks(label);
		});

		test('bad arguments: URL, header name, reserved header, JSON body', async () => {
			const label = `platform ${kind} bad arguments`;
			const cases: INodeParameters[] = [
				send({ url: 'ftp://hooks.example.com/x' }),
				send({ url: 'not a url' }),
				send({ options: { headers: { header: [{ name: 'Bad Header', value: 'x' }] } } }),
				send({ options: { headers: { header: [{ name: 'X-Coupon-Kit-Signature', value: 'forged' }] } } }),
				send({ payloadSource: 'json', payload: '{"code": ' }),
			];
			for (const [i, parameters] of cases.entries()) {
				const failed = await runNode(`${label} ${i}`, PLATFORM, parameters, { couponKitWebhookApi: webhookCreds }, [{ code: 'SPRING-1' }]);
				expect(failed.error).toBeDefined();
			}
			expectNoLeaks(label);
		});

		test('Record Delivery with a store that cannot be opened', async () => {
			const label = `platform ${kind} record delivery`;
			echoing(200);
			const failed = await runNode(label, PLATFORM, send({ recordDelivery: true, deliveryChannel: 'email' }), {
				couponKitWebhookApi: webhookCreds,
				couponKitStoreApi: { mode: 'redis', connection: 'hostPort', host: '127.0.0.1', port: locked.port, password: PASS },
			}, [{ code: 'SPRING-1' }]);
			expect(failed.error?.message).toMatch(/Could not open the Redis server/);
			expectNoLeaks(label);
		}, 30_000);
	});

	test('Record Delivery on a working store: the ledger holds no secret', async () => {
		const store = sqliteCredentials();
		await runNode('ledger / create', COUPON, { resource: 'campaign', operation: 'create', campaignId: 'spring', discountType: 'percent', discountValue: 10 }, { couponKitStoreApi: store });
		const [issued] = (await runNode('ledger / issue', COUPON, { resource: 'code', operation: 'issue', campaignId: 'spring' }, { couponKitStoreApi: store })).json;
		echoing(200);
		const sent = await runNode('ledger / send', PLATFORM, send({ recordDelivery: true, deliveryChannel: 'email', recipient: 'ann@example.com' }), {
			couponKitWebhookApi: { secret: SIGNING, authorization: AUTH },
			couponKitStoreApi: store,
		}, [{ code: issued.code }]);
		expect(sent.json[0].deliveredEventId).toEqual(expect.any(String));
		const engine = await openEngine({ store: { type: 'sqlite', path: String(store.path) } });
		try {
			const events = await engine.events();
			expect(events.events.map((e) => e.type)).toEqual(expect.arrayContaining(['issued', 'delivered']));
			rec.add('ledger: events', events);
		} finally {
			await engine.close();
		}
		expectNoLeaks('ledger');
	});
});

// ---------- the inbound webhook (Coupon Webhook Trigger) ----------

describe('Coupon Webhook Trigger: refused deliveries, no secret', () => {
	test('bad, missing, malformed, repeated and stale signatures; a body that is not an object', async () => {
		const store = sqliteCredentials();
		const now = Math.floor(Date.now() / 1000);
		const forged = signedOrder('w-1', `${TRIGGER_SECRET}x`);
		const requests: Array<[string, Parameters<typeof webhookTrigger>[2]]> = [
			['wrong secret', forged],
			['missing header', { body: forged.body }],
			['malformed header', { ...forged, headers: { 'X-Coupon-Kit-Signature': `t=${now},v1=${TRIGGER_SECRET}` } }],
			['secret as the header', { ...forged, headers: { 'X-Coupon-Kit-Signature': TRIGGER_SECRET } }],
			['stale', signedOrder('w-2', TRIGGER_SECRET, now - 3600)],
			['tampered', { ...signedOrder('w-3'), rawBody: signedOrder('w-3').rawBody.replace('150', '950') }],
			['not an object', (() => {
				const raw = '[1,2]';
				return { body: [1, 2] as unknown as IDataObject, rawBody: raw, headers: { 'X-Coupon-Kit-Signature': signatureHeaderValue(TRIGGER_SECRET, now, raw) } };
			})()],
			['bad field', (() => {
				const body: IDataObject = { kind: 'order', orderId: 'w-4', total: 'lots', currency: 'EUR' };
				const raw = JSON.stringify(body);
				return { body, rawBody: raw, headers: { 'X-Coupon-Kit-Signature': signatureHeaderValue(TRIGGER_SECRET, now, raw) } };
			})()],
		];
		for (const [name, request] of requests) {
			const { delivery, error } = await webhookTrigger(`inbound ${name}`, store, request);
			expect(delivery?.answer?.status ?? error?.message).toEqual(expect.anything());
		}
		const genuine = await webhookTrigger('inbound genuine', store, signedOrder('w-5'));
		expect(genuine.delivery?.answer).toBeNull();
		expectNoLeaks('inbound');
	});
});

// ---------- everything, including what reached the console and n8n's log ----------

test('no secret anywhere: outputs, errors, answers, n8n log, console, stdout and stderr', () => {
	// The recorder caught something of each kind (so this is no empty check).
	expect(rec.count('n8n log')).toBeGreaterThan(0);
	expect(rec.texts('').some((t) => /WRONGPASS/.test(t))).toBe(true);
	expect(rec.texts('').some((t) => /ECONNREFUSED/.test(t))).toBe(true);
	expectNoLeaks();
});

test('the scanner finds a secret in each form it looks for', () => {
	const probe = new Recorder();
	const secret = makeSecret('probe', '-p@ss/w:rd');
	probe.add('raw', `x ${secret} y`);
	probe.add('url', `https://h/?p=${encodeURIComponent(secret)}`);
	probe.add('clipped', `${secret.slice(0, 25)}…`);
	probe.add('base64', Buffer.from(`user:${secret}`).toString('base64'));
	probe.add('base64url', Buffer.from(`{"a":"${secret}"}`).toString('base64url'));
	probe.add('error cause', new Error('outer', { cause: Object.assign(new Error('inner'), { command: { args: [secret] } }) }));
	probe.add('clean', 'S3CRET-probe-000000000000 is another secret');
	expect(probe.leaks([secret]).map((l) => l.where).filter((w, i, all) => all.indexOf(w) === i)).toEqual(['raw', 'url', 'clipped', 'base64', 'base64url', 'error cause']);
});
