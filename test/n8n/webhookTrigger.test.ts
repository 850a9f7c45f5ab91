// Coupon Webhook Trigger through n8n-core's WebhookContext, on the real engine and trigger state.
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { makeWorkflow } from './helpers/harness';
import { couponJson } from './helpers/run';
import { STORES } from './helpers/stores';
import { deliver } from './helpers/webhook';
import { allTypes, node, STORE_REF, WEBHOOK_TRIGGER } from './helpers/workflows';
import { signatureHeaderValue } from '../../core/platforms/webhook';
import { releaseAllEngines } from '../../nodes/n8n/shared/store';
import { closeAllTriggers } from '../../nodes/n8n/shared/triggers';

const SECRET = 'whsec_inbound_51c2';

afterAll(async () => {
	await closeAllTriggers();
	await releaseAllEngines();
});

function signed(body: IDataObject, secret = SECRET, t = Math.floor(Date.now() / 1000)) {
	const rawBody = JSON.stringify(body);
	return { body, rawBody, headers: { 'Content-Type': 'application/json', 'X-Coupon-Kit-Signature': signatureHeaderValue(secret, t, rawBody) } };
}

describe.each(STORES)('Coupon Webhook Trigger on the %s store', (_kind, makeStore) => {
	let store: ICredentialDataDecryptedObject;
	let scope: string;

	beforeEach(() => {
		store = makeStore();
		scope = `s${Math.random().toString(36).slice(2)}`;
	});

	function trigger(parameters: INodeParameters) {
		const trig = node('Shop events', WEBHOOK_TRIGGER, { options: { scope }, ...parameters }, {
			credentials: { ...STORE_REF, couponKitWebhookApi: { id: 'wh', name: 'Signing' } },
			webhookId: 'b9f2c1d0-0000-4000-8000-000000000001',
		});
		const workflow = makeWorkflow({ nodes: [trig], connections: {} }, allTypes());
		const credentials = { couponKitStoreApi: store, couponKitWebhookApi: { secret: SECRET } };
		return (request: { body: IDataObject; rawBody?: string; headers?: Record<string, string> }) =>
			deliver(workflow, trig, credentials, request);
	}

	const emitted = (d: Awaited<ReturnType<ReturnType<typeof trigger>>>) => (d.result.workflowData?.[0] ?? []).map((i) => i.json);

	const order = (id: string, total: number, extra: IDataObject = {}) => ({
		kind: 'order',
		orderId: id,
		customerId: 'ann',
		email: 'ann@example.com',
		total,
		currency: 'EUR',
		...extra,
	});

	test('a bad signature is refused with 401 and nothing is recorded', async () => {
		const send = trigger({ events: ['purchaseOverThreshold'], thresholdAmount: 100, thresholdCurrency: 'EUR' });
		const forged = await send(signed(order('1001', 150), 'not-the-secret'));
		expect(forged.answer).toEqual({
			status: 401,
			body: { error: 'signature', message: 'The signature does not match the body and the secret', reason: 'SIGNATURE_MISMATCH' },
		});
		expect(forged.result).toEqual({ noWebhookResponse: true });

		const tampered = signed(order('1001', 150));
		const changed = await send({ ...tampered, rawBody: tampered.rawBody.replace('150', '950') });
		expect(changed.answer?.status).toBe(401);

		const missing = await send({ body: order('1001', 150), headers: { 'Content-Type': 'application/json' } });
		expect(missing.answer).toEqual({
			status: 401,
			body: { error: 'signature', message: 'The X-Coupon-Kit-Signature header is missing', reason: 'MISSING_SIGNATURE' },
		});

		const replay = await send(signed(order('1001', 150), SECRET, Math.floor(Date.now() / 1000) - 3600));
		expect(replay.answer?.body).toMatchObject({ reason: 'TIMESTAMP_OUT_OF_RANGE' });

		// Had any of those been recorded, this first genuine delivery would count as a duplicate.
		const genuine = await send(signed(order('1001', 150)));
		expect(genuine.answer).toBeNull();
		expect(emitted(genuine)).toHaveLength(1);
	});

	test('with Accept Unsigned Requests the request is taken as is', async () => {
		const send = trigger({ events: ['purchaseOverThreshold'], acceptUnsigned: true, thresholdAmount: 100 });
		expect(emitted(await send({ body: order('2001', 120), headers: { 'Content-Type': 'application/json' } }))).toHaveLength(1);
	});

	test('purchase over threshold: qualifies, below, other currency, duplicate delivery', async () => {
		const send = trigger({ events: ['purchaseOverThreshold'], thresholdAmount: 100, thresholdCurrency: 'EUR', options: { scope, excludeShipping: true } });
		const big = await send(signed(order('3001', 130, { shipping: 20 })));
		expect(big.result.webhookResponse).toEqual({ received: true, emitted: 1 });
		expect(emitted(big)).toEqual([
			expect.objectContaining({
				event: 'purchaseOverThreshold',
				orderId: '3001',
				customerId: 'ann',
				email: 'ann@example.com',
				threshold: { qualifies: true, measured: 110, threshold: 100, currency: 'EUR' },
			}),
		]);
		expect(emitted(await send(signed(order('3002', 115, { shipping: 20 }))))).toEqual([]);
		expect(emitted(await send(signed(order('3003', 500, { currency: 'USD' }))))).toEqual([]);
		const again = await send(signed(order('3001', 130, { shipping: 20 })));
		expect(again.result).toEqual({ webhookResponse: { received: true, duplicate: true, emitted: 0 } });
	});

	test('Nth purchase fires on the purchase numbers, once per order', async () => {
		const send = trigger({ events: ['nthPurchase'], purchaseNumbers: '2', purchaseEvery: 0 });
		const fired: IDataObject[] = [];
		for (const id of ['4001', '4002', '4002', '4003']) fired.push(...emitted(await send(signed(order(id, 10)))));
		expect(fired).toEqual([expect.objectContaining({ event: 'nthPurchase', orderId: '4002', purchaseNumber: 2, purchaseCount: 2 })]);
	});

	test('an order that used a code redeems it and emits the result; limits are data', async () => {
		await couponJson(store, { resource: 'campaign', operation: 'create', campaignId: 'spring', discountType: 'percent', discountValue: 10 });
		const [issued] = await couponJson(store, { resource: 'code', operation: 'issue', campaignId: 'spring' });
		const send = trigger({ events: ['orderWithCode'], options: { scope, channel: 'web' } });

		const first = await send(signed(order('5001', 90, { discounts: 10, discount_codes: [{ code: String(issued.code) }] })));
		expect(emitted(first)).toEqual([
			{
				event: 'orderWithCode',
				orderId: '5001',
				customerId: 'ann',
				email: 'ann@example.com',
				code: issued.code,
				redemption: expect.objectContaining({ ok: true, code: issued.code, orderId: '5001', discountAmount: 10 }),
			},
		]);
		const [info] = await couponJson(store, { resource: 'code', operation: 'get', code: String(issued.code) });
		expect(info).toMatchObject({ state: 'redeemed', redemptions: 1 });

		// The same delivery again: redeemed once, fired once.
		expect(emitted(await send(signed(order('5001', 90, { discounts: 10, discount_codes: [{ code: String(issued.code) }] }))))).toEqual([]);
		const [still] = await couponJson(store, { resource: 'code', operation: 'get', code: String(issued.code) });
		expect(still).toMatchObject({ redemptions: 1 });

		const second = await send(signed(order('5002', 50, { codes: [String(issued.code)] })));
		expect(emitted(second)[0]).toMatchObject({ event: 'orderWithCode', redemption: { ok: false, reason: 'CODE_LIMIT_REACHED' } });
	});

	test('cart activity arms abandonment; a checkout ends it', async () => {
		const quiet = trigger({ events: ['cartActivity'], abandonAfterMinutes: 30 });
		const armedQuietly = await quiet(signed({ kind: 'cart', cartId: 'k0', value: 10, at: new Date(Date.now()).toISOString() }));
		expect(armedQuietly.result.workflowData).toBeUndefined();
		expect(armedQuietly.result.webhookResponse).toMatchObject({ received: true, emitted: 0, cart: { cartId: 'k0', state: 'open', stale: false } });

		const send = trigger({ events: ['cartActivity'], abandonAfterMinutes: 30, options: { scope, outputCartEvents: true } });
		const at = Date.now();
		const armed = await send(signed({ kind: 'cart', cartId: 'k1', customerId: 'ann', value: 80, currency: 'EUR', at: new Date(at).toISOString() }));
		expect(emitted(armed)).toEqual([
			expect.objectContaining({ event: 'cartActivity', cartId: 'k1', type: 'activity', state: 'open', abandonedAt: new Date(at + 30 * 60_000).toISOString() }),
		]);
		const done = await send(signed({ kind: 'cart', cartId: 'k1', type: 'checkout', value: 80, at: new Date(at + 1000).toISOString() }));
		expect(emitted(done)[0]).toMatchObject({ type: 'checkout', state: 'closed', abandonedAt: null });
	});

	test('unselected kinds are acknowledged and ignored; payloads that are not an order or a cart get 422', async () => {
		const send = trigger({ events: ['purchaseOverThreshold'] });
		expect((await send(signed({ kind: 'cart', cartId: 'x', value: 1 }))).result).toEqual({
			webhookResponse: { received: true, emitted: 0, ignored: 'cart events are not selected on this trigger' },
		});
		const noKind = await send(signed({ orderId: '1', total: 5 }));
		expect(noKind.answer?.status).toBe(422);
		expect(noKind.answer?.body).toMatchObject({ error: 'kind', field: 'kind', message: expect.stringMatching(/order from a cart/) });
		const noTotal = await send(signed({ kind: 'order', orderId: '9', currency: 'EUR' }));
		expect(noTotal.answer).toEqual({ status: 422, body: { error: 'field', message: 'total: is required (the order total)', field: 'total' } });
	});
});
