import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';
import httpInNode from '@node-red/nodes/core/network/21-httpin.js';
import { signatureHeaderValue } from '../../core/platforms/webhook';
import webhookNode from '../../nodes/node-red/coupon-webhook/coupon-webhook';
import type { CouponKitStoreNode } from '../../nodes/node-red/lib/store';
import { type FlowNode, STORE_KINDS, type StoreKind, type TestNode, helper, inTab, modules, nextMessage } from './helpers/flow';

const SECRET = 'whsec-test';
const NOW = Date.parse('2026-11-26T12:00:00Z');

describe.each(STORE_KINDS.map((make) => [make().name, make] as const))('coupon webhook on %s', (_name, make) => {
	let store: StoreKind;
	let server: Server;
	let base: string;
	let app: RequestListener | null;

	// A module that only keeps RED.httpNode, so the test can serve it on a port of its own.
	const captureHttpNode = (RED: { httpNode: RequestListener }): void => {
		app = RED.httpNode;
	};

	async function start(webhook: Record<string, unknown>, extra: FlowNode[] = []): Promise<TestNode> {
		await helper.load(
			[modules.storeNode, webhookNode, httpInNode, captureHttpNode as (RED: never) => void],
			inTab([{ id: 'hook', type: 'coupon webhook', store: 'store', url: '/orders', wires: [['out']], ...webhook }, { id: 'out', type: 'helper' }, ...extra], [store.node()]),
			{ store: store.credentials(), hook: { secret: SECRET } },
		);
		server = createServer((req, res) => (app as RequestListener)(req, res));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		return helper.getNode('out') as TestNode;
	}

	function post(path: string, body: unknown, headers: Record<string, string> = {}, sign = true, t = Math.floor(NOW / 1000)): Promise<Response> {
		const raw = typeof body === 'string' ? body : JSON.stringify(body);
		const signature: Record<string, string> = sign ? { 'X-Coupon-Kit-Signature': signatureHeaderValue(SECRET, t, raw) } : {};
		return fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...signature, ...headers }, body: raw });
	}

	async function engine() {
		return (helper.getNode('store') as unknown as CouponKitStoreNode).engine();
	}

	beforeEach(() => {
		store = make();
		app = null;
		helper.settings({ couponKit: { clock: () => NOW } });
	});

	afterEach(async () => {
		await helper.unload();
		helper.settings({});
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
		store.cleanup();
	});

	it('records a signed order once, redeems its code and answers with a summary', async () => {
		const out = await start({ event: 'auto', thresholdAmount: '100', thresholdCurrency: 'EUR', purchaseNth: '1', redeemCodes: true });
		const e = await engine();
		await e.createCampaign({ id: 'spring', discount: { type: 'percent', value: 10 } });
		const issued = await e.issue({ campaignId: 'spring', customerId: 'c-1' });
		if (!issued.ok) throw new Error(issued.reason);
		const order = { kind: 'order', id: 1001, total_price: '120.00', currency: 'eur', customer: { id: 'c-1' }, discount_codes: [{ code: issued.code }] };

		const received = nextMessage(out);
		const res = await post('/orders', order, { 'X-Coupon-Kit-Delivery': 'd-1' });
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({
			received: true,
			topic: 'order',
			thresholdMet: true,
			milestoneReached: 1,
			redemptions: [{ code: issued.code, ok: true, reason: null }],
		});
		const msg = await received;
		expect(msg.topic).toBe('order');
		expect(msg.payload).toMatchObject({ orderId: '1001', total: 120, currency: 'EUR', customerId: 'c-1', codes: [issued.code] });
		expect(msg.couponKit).toMatchObject({ order: { thresholdMet: true, milestoneReached: 1 } });
		expect(msg.couponKit).toMatchObject({ verified: true, deliveryId: 'd-1', order: { duplicate: false, thresholdMet: true, purchaseCount: 1 } });
		expect(msg.rawBody).toBe(JSON.stringify(order));

		// The same order again is answered, counted nowhere, and sends nothing on: the next message out is
		// the one of the next new order.
		const next = nextMessage(out);
		expect(await (await post('/orders', order)).json()).toEqual({ received: true, topic: 'order', duplicate: true });
		expect(await e.stats({ campaignId: 'spring' })).toMatchObject({ redeemed: 1 });
		await post('/orders', { ...order, id: 1002, discount_codes: [] });
		expect(((await next).payload as { orderId: string }).orderId).toBe('1002');
		expect((msg.couponKit as { redemptions: Array<{ discountAmount: number }> }).redemptions[0].discountAmount).toBe(12);
	});

	it('answers 401 to a bad or stale signature and records nothing', async () => {
		const out = await start({ event: 'order', redeemCodes: true });
		const e = await engine();
		await e.createCampaign({ id: 'spring', discount: { type: 'percent', value: 10 } });
		const issued = await e.issue({ campaignId: 'spring' });
		if (!issued.ok) throw new Error(issued.reason);
		const order = { orderId: 'o-1', total: 50, currency: 'EUR', codes: [issued.code] };

		const unsigned = await post('/orders', order, {}, false);
		expect(unsigned.status).toBe(401);
		expect(await unsigned.json()).toMatchObject({ error: 'signature', reason: 'MISSING_SIGNATURE' });
		const forged = await post('/orders', order, { 'X-Coupon-Kit-Signature': `t=${NOW / 1000},v1=${'0'.repeat(64)}` }, false);
		expect(forged.status).toBe(401);
		const stale = await post('/orders', order, {}, true, NOW / 1000 - 3600);
		expect(await stale.json()).toMatchObject({ reason: 'TIMESTAMP_OUT_OF_RANGE' });
		expect(await e.stats({ campaignId: 'spring' })).toMatchObject({ redeemed: 0 });

		// The first message to come out is the one of the first good delivery.
		const received = nextMessage(out);
		expect((await post('/orders', { ...order, orderId: 'o-2' })).status).toBe(200);
		expect(((await received).payload as { orderId: string }).orderId).toBe('o-2');
	});

	it('names the missing field of an order with 422 and refuses a body over 1 MiB', async () => {
		await start({ event: 'order', fields: '{"total": "amounts.gross"}' });
		const mapped = await post('/orders', { orderId: 'o-9', currency: 'EUR', amounts: { gross: 12 } });
		expect(mapped.status).toBe(200);
		const res = await post('/orders', { orderId: 'o-1', currency: 'EUR' });
		expect(res.status).toBe(422);
		// With field paths the error names the path that was looked up.
		expect(await res.json()).toEqual({ error: 'field', field: 'amounts.gross', message: 'amounts.gross: is required (the order total)' });
		expect((await post('/orders', '{not json')).status).toBe(400);
		expect((await post('/orders', { pad: 'x'.repeat(1024 * 1024) })).status).toBe(413);
	});

	it('tells orders from carts by kind or by the event header, and refuses what is neither', async () => {
		const out = await start({ event: 'auto', acceptUnsigned: true });
		const first = nextMessage(out);
		await post('/orders', { cartId: 'k-1', value: 5, currency: 'EUR' }, { 'X-Coupon-Kit-Event': 'cart.updated' }, false);
		expect((await first).topic).toBe('cart');
		const unknown = await post('/orders', { id: 'x' }, {}, false);
		expect(unknown.status).toBe(422);
		expect(await unknown.json()).toMatchObject({ error: 'kind', field: 'kind' });
	});

	it('passes a cart event on in the trigger shape, without a signature when told so', async () => {
		// `verify: 'none'` is how flows from before the Accept unsigned requests checkbox said the same.
		const out = await start({ event: 'cart', verify: 'none', currency: 'EUR' });
		const received = nextMessage(out);
		expect((await post('/orders', { cart_token: 'k-9', total_price: '30', email: 'ana@example.com' }, {}, false)).status).toBe(200);
		const msg = await received;
		expect(msg.topic).toBe('cart');
		expect(msg.payload).toMatchObject({ cartId: 'k-9', value: 30, currency: 'EUR', email: 'ana@example.com', type: 'activity' });
		expect(msg.couponKit).toMatchObject({ verified: false });
	});

	it('lets the flow answer through an http response node', async () => {
		await start({ event: 'any', respond: 'flow', wires: [['reply']] }, [{ id: 'reply', type: 'http response', statusCode: '202', headers: {} }]);
		const res = await post('/orders', { hello: 'world' }, { 'X-Coupon-Kit-Event': 'ping' });
		expect(res.status).toBe(202);
		expect(await res.json()).toEqual({ hello: 'world' });
	});

	it('removes its endpoint when the flow stops', async () => {
		await start({ event: 'any' });
		expect((await post('/orders', {})).status).toBe(200);
		await helper.unload();
		expect((await post('/orders', {})).status).toBe(404);
	});
});
