// The coupon webhook under bad input, replays and unsigned requests, through its real HTTP endpoint
// (RED.httpNode served on a loopback port) on the real engine and store. Each refusal must record
// nothing, show a red ring, and leave the endpoint serving.
import { request as httpRequest, createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import httpInNode from '@node-red/nodes/core/network/21-httpin.js';
import { MAX_WEBHOOK_BODY_BYTES } from '../../core/hosts/webhookRequest';
import { signatureHeaderValue } from '../../core/platforms/webhook';
import webhookNode from '../../nodes/node-red/coupon-webhook/coupon-webhook';
import type { CouponKitStoreNode } from '../../nodes/node-red/lib/store';
import { type FlowNode, type Msg, STORE_KINDS, type StoreKind, type TestNode, helper, inTab, modules, nextMessage, nextStatus } from './helpers/flow';

const SECRET = 'whsec-reliable';
const T0 = Date.parse('2026-11-26T12:00:00Z');

interface Answer {
	status: number;
	body: Record<string, unknown>;
}

describe.each(STORE_KINDS.map((make) => [make().name, make] as const))('coupon webhook reliability on %s', (_name, make) => {
	let store: StoreKind;
	let server: Server | null;
	let base: string;
	let app: RequestListener | null;
	let now: number;
	let code: string;

	const captureHttpNode = (RED: { httpNode: RequestListener }): void => {
		app = RED.httpNode;
	};

	async function start(webhook: Record<string, unknown> = {}, credentials: Record<string, unknown> = { secret: SECRET }): Promise<TestNode> {
		const nth = Array.from({ length: 30 }, (_, i) => i + 1).join(',');
		await helper.load(
			[modules.storeNode, webhookNode, httpInNode, captureHttpNode as (RED: never) => void],
			inTab(
				[
					{ id: 'hook', type: 'coupon webhook', store: 'store', url: '/orders', event: 'auto', purchaseNth: nth, redeemCodes: true, wires: [['out']], ...webhook },
					{ id: 'out', type: 'helper' },
				] as FlowNode[],
				[store.node()],
			),
			{ store: store.credentials(), hook: credentials },
		);
		if (!server) {
			server = createServer((req, res) => (app as RequestListener)(req, res));
			await new Promise<void>((resolve) => (server as Server).listen(0, '127.0.0.1', resolve));
			base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		}
		return helper.getNode('out') as TestNode;
	}

	/** A restart of Node-RED: the flow and its store closed, then deployed again on the same file / keys. */
	async function restart(webhook: Record<string, unknown> = {}): Promise<TestNode> {
		await helper.unload();
		return start(webhook);
	}

	/** A raw HTTP request, so headers can be sent twice and bodies streamed without a length. */
	function send(options: { body: string | Buffer; headers?: Array<[string, string]>; chunked?: boolean }): Promise<Answer> {
		return new Promise((resolve, reject) => {
			const req = httpRequest(`${base}/orders`, { method: 'POST' }, (res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					resolve({ status: res.statusCode ?? 0, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) });
				});
			});
			req.on('error', reject);
			const byName = new Map<string, string[]>();
			for (const [name, value] of options.headers ?? []) byName.set(name, [...(byName.get(name) ?? []), value]);
			// An array value puts the header on the wire once per entry.
			for (const [name, values] of byName) req.setHeader(name, values.length === 1 ? values[0] : values);
			if (options.chunked) {
				const body = Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body);
				for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
				req.end();
			} else {
				req.end(options.body);
			}
		});
	}

	function signed(body: unknown, options: { secret?: string; t?: number; type?: string | null } = {}): { body: string; headers: Array<[string, string]> } {
		const raw = typeof body === 'string' ? body : JSON.stringify(body);
		const headers: Array<[string, string]> = [['X-Coupon-Kit-Signature', signatureHeaderValue(options.secret ?? SECRET, options.t ?? Math.floor(now / 1000), raw)]];
		if (options.type !== null) headers.push(['Content-Type', options.type ?? 'application/json']);
		return { body: raw, headers };
	}

	const order = (id: string, extra: Record<string, unknown> = {}) => ({ kind: 'order', orderId: id, customerId: 'ann', total: 40, currency: 'EUR', codes: [code], ...extra });

	async function engine() {
		return (helper.getNode('store') as unknown as CouponKitStoreNode).engine();
	}

	async function ledger(): Promise<string[]> {
		return (await (await engine()).events({ limit: 1000 })).events.map((e) => e.id);
	}

	beforeEach(async () => {
		store = make();
		app = null;
		server = null;
		now = T0;
		helper.settings({ couponKit: { clock: () => now } });
	});

	afterEach(async () => {
		await helper.unload();
		helper.settings({});
		if (server) {
			server.closeAllConnections();
			await new Promise<void>((resolve) => (server as Server).close(() => resolve()));
		}
		store.cleanup();
	});

	async function withCode(out: TestNode): Promise<TestNode> {
		const e = await engine();
		await e.createCampaign({ id: 'spring', discount: { type: 'percent', value: 10 }, limits: { perCode: 100 } });
		const issued = await e.issue({ campaignId: 'spring' });
		if (!issued.ok) throw new Error(issued.reason);
		code = issued.code;
		return out;
	}

	it('answers bad requests with a 4xx and a red ring, records nothing, and takes the next good one', async () => {
		const out = await withCode(await start());
		const valid = JSON.stringify(order('bad'));
		const t = Math.floor(now / 1000);
		const big = JSON.stringify({ ...order('big'), pad: 'x'.repeat(MAX_WEBHOOK_BODY_BYTES) });
		const bad: Array<[string, Parameters<typeof send>[0], number, Record<string, unknown>]> = [
			['malformed JSON', signed('{"kind":"order","orderId":'), 400, { error: 'body', message: 'the body is not valid JSON' }],
			['malformed JSON as +json', signed('{"kind":', { type: 'application/vnd.shop+json; charset=utf-8' }), 400, { error: 'body' }],
			['an empty body', signed(''), 400, { error: 'body' }],
			['text/plain', signed(valid, { type: 'text/plain' }), 415, { error: 'content-type' }],
			['a form', signed(valid, { type: 'application/x-www-form-urlencoded' }), 415, { error: 'content-type' }],
			['no content type', signed(valid, { type: null }), 415, { error: 'content-type' }],
			['a body over 1 MiB with its length', signed(big), 413, { error: 'body', message: `the body is larger than ${MAX_WEBHOOK_BODY_BYTES} bytes` }],
			['a body over 1 MiB, streamed without a length', { ...signed(big), chunked: true }, 413, { error: 'body' }],
			['no signature header', { body: valid, headers: [['Content-Type', 'application/json']] }, 401, { error: 'signature', reason: 'MISSING_SIGNATURE' }],
			['a signature without its timestamp', { body: valid, headers: [['Content-Type', 'application/json'], ['X-Coupon-Kit-Signature', `v1=${'a'.repeat(64)}`]] }, 401, { reason: 'MALFORMED_SIGNATURE' }],
			[
				'the signature header sent twice',
				{
					body: valid,
					headers: [
						['Content-Type', 'application/json'],
						['X-Coupon-Kit-Signature', signatureHeaderValue(SECRET, t, valid)],
						['X-Coupon-Kit-Signature', signatureHeaderValue(SECRET, t, valid)],
					],
				},
				401,
				{ reason: 'MALFORMED_SIGNATURE', message: 'The X-Coupon-Kit-Signature header was sent more than once' },
			],
			['another secret', signed(order('bad'), { secret: 'guessed' }), 401, { reason: 'SIGNATURE_MISMATCH' }],
			['a timestamp 301 s old', signed(order('bad'), { t: t - 301 }), 401, { reason: 'TIMESTAMP_OUT_OF_RANGE' }],
			['a list', signed([order('bad')]), 422, { error: 'body', message: 'the body must be one JSON object (an order or a cart)' }],
			['neither order nor cart', signed({ hello: 'world' }), 422, { error: 'kind', field: 'kind' }],
			['an order without a total', signed({ kind: 'order', orderId: 'bad', currency: 'EUR', codes: [code] }), 422, { error: 'field', field: 'total' }],
			['an order with a text total', signed({ ...order('bad'), total: 'lots' }), 422, { error: 'field', field: 'total' }],
			['a cart without an id', signed({ kind: 'cart', value: 10 }), 422, { error: 'field', field: 'cartId' }],
		];

		let good = 0;
		for (const [what, request, status, body] of bad) {
			const before = await ledger();
			const ring = nextStatus(helper.getNode('hook') as TestNode, (s) => s.fill === 'red');
			const answer = await send(request);
			expect({ what, status: answer.status, body: answer.body }).toEqual({ what, status, body: expect.objectContaining(body) });
			expect(await ring).toEqual({ fill: 'red', shape: 'ring', text: expect.stringMatching(new RegExp(`^${status}: `)) });
			expect({ what, ledger: await ledger() }).toEqual({ what, ledger: before });

			good += 1;
			const received = nextMessage(out);
			expect({ what, answer: await send(signed(order(`good-${good}`))) }).toMatchObject({ what, answer: { status: 200, body: { received: true } } });
			// Counted as the customer's next purchase: none of the refused ones was recorded.
			expect((await received).couponKit).toMatchObject({ order: { duplicate: false, purchaseCount: good }, redemptions: [{ ok: true }] });
		}
		expect(await (await engine()).stats({ campaignId: 'spring' })).toMatchObject({ redeemed: good });
	});

	it('sends a replayed signed delivery on once and records it once, also after a restart', async () => {
		let out = await withCode(await start());
		const delivery = signed(order('r-1'));
		const first = nextMessage(out);
		expect((await send(delivery)).status).toBe(200);
		expect((await first).couponKit).toMatchObject({ order: { duplicate: false }, redemptions: [{ ok: true }] });
		const recorded = await ledger();

		const seen: Msg[] = [];
		out.on('input', (msg: Msg) => seen.push(msg));
		expect(await send(delivery)).toEqual({ status: 200, body: { received: true, topic: 'order', duplicate: true } });
		expect(await ledger()).toEqual(recorded);

		out = await restart();
		out.on('input', (msg: Msg) => seen.push(msg));
		expect(await send(delivery)).toEqual({ status: 200, body: { received: true, topic: 'order', duplicate: true } });
		expect(await ledger()).toEqual(recorded);

		// The next message out is the next new delivery: the replays sent nothing on.
		const next = nextMessage(out);
		await send(signed(order('r-2')));
		expect(((await next).payload as { orderId: string }).orderId).toBe('r-2');
		expect(seen.map((m) => (m.payload as { orderId: string }).orderId)).toEqual(['r-2']);
	});

	it('sends a replayed cart or any-JSON delivery on once, also after a restart', async () => {
		for (const event of ['cart', 'any']) {
			let out = await restart({ event });
			const delivery = signed({ kind: 'cart', cartId: `k-${event}`, value: 50, currency: 'EUR' });
			const first = nextMessage(out);
			expect((await send(delivery)).status).toBe(200);
			await first;
			const seen: Msg[] = [];
			out.on('input', (msg: Msg) => seen.push(msg));
			expect((await send(delivery)).body).toMatchObject({ received: true, duplicate: true });
			out = await restart({ event });
			out.on('input', (msg: Msg) => seen.push(msg));
			expect((await send(delivery)).body).toMatchObject({ received: true, duplicate: true });
			expect(seen).toEqual([]);
		}
	});

	it('refuses a replay once its signed time is outside the tolerance, which can be set', async () => {
		await withCode(await start());
		const delivery = signed(order('w-1'));
		expect((await send(delivery)).status).toBe(200);
		const recorded = await ledger();
		now += 301_000;
		expect(await send(delivery)).toMatchObject({ status: 401, body: { reason: 'TIMESTAMP_OUT_OF_RANGE' } });
		expect(await ledger()).toEqual(recorded);

		await restart({ tolerance: '60' });
		const minuteOld = signed(order('w-2'), { t: Math.floor(now / 1000) - 61 });
		expect(await send(minuteOld)).toMatchObject({ status: 401, body: { message: expect.stringMatching(/60 s/) } });
		await restart();
		expect((await send(minuteOld)).status).toBe(200);
	});

	it('takes no deliveries without a secret, unless unsigned requests are accepted', async () => {
		await start({}, {});
		const body = JSON.stringify({ kind: 'order', orderId: 'u-1', total: 20, currency: 'EUR' });
		const headers: Array<[string, string]> = [['Content-Type', 'application/json']];
		expect(await send({ body, headers })).toEqual({
			status: 401,
			body: { error: 'signature', reason: 'NO_SECRET', message: 'this endpoint has no signing secret set, so it takes no deliveries' },
		});
		await helper.unload();
		const out = await start({ acceptUnsigned: true }, {});
		const received = nextMessage(out);
		expect((await send({ body, headers })).status).toBe(200);
		expect((await received).couponKit).toMatchObject({ verified: false, order: { duplicate: false } });
		// Nothing to tell a replay by but the order id: counted once all the same.
		expect((await send({ body, headers })).body).toMatchObject({ duplicate: true });
		expect((await send({ body, headers: [['Content-Type', 'text/plain']] })).status).toBe(415);
	});
});

describe('coupon webhook without a store', () => {
	let server: Server;
	let app: RequestListener | null = null;

	afterEach(async () => {
		await helper.unload();
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});

	it('still answers a replay once while it runs, and warns that this lasts until a restart', async () => {
		await helper.load(
			[webhookNode, httpInNode, ((RED: { httpNode: RequestListener }) => {
				app = RED.httpNode;
			}) as (RED: never) => void],
			inTab([{ id: 'hook', type: 'coupon webhook', url: '/any', event: 'any', wires: [['out']] }, { id: 'out', type: 'helper' }]),
			{ hook: { secret: SECRET } },
		);
		server = createServer((req, res) => (app as RequestListener)(req, res));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const raw = JSON.stringify({ hello: 'world' });
		const post = () =>
			fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/any`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', 'X-Coupon-Kit-Signature': signatureHeaderValue(SECRET, Math.floor(Date.now() / 1000), raw) },
				body: raw,
			});
		const received = nextMessage(helper.getNode('out') as TestNode);
		expect((await post()).status).toBe(200);
		expect((await received).payload).toEqual({ hello: 'world' });
		expect(await (await post()).json()).toEqual({ received: true, topic: 'event', duplicate: true });
		expect(helper.log().calledWithMatch({ type: 'coupon webhook', level: 30, msg: 'coupon-webhook.errors.replayMemory' })).toBe(true);
	});
});
