// Coupon Webhook Trigger under bad input, replays and unsigned requests, through n8n-core's WebhookContext
// on the real engine and trigger state. Each refusal must record nothing and leave the node serving.
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { makeWorkflow } from './helpers/harness';
import { couponJson } from './helpers/run';
import { STORES } from './helpers/stores';
import { deliver } from './helpers/webhook';
import { allTypes, node, STORE_REF, WEBHOOK_TRIGGER } from './helpers/workflows';
import { acquireEngine, releaseEngine } from '../../core/hosts/engineCache';
import { MAX_WEBHOOK_BODY_BYTES } from '../../core/hosts/webhookRequest';
import { signatureHeaderValue } from '../../core/platforms/webhook';
import { createTriggers } from '../../core/triggers';
import { CouponWebhookTrigger } from '../../nodes/n8n/CouponWebhookTrigger/CouponWebhookTrigger.node';
import { credentialToStoreOptions, releaseAllEngines } from '../../nodes/n8n/shared/store';
import { closeAllTriggers, triggerClock } from '../../nodes/n8n/shared/triggers';

const SECRET = 'whsec_reliable_7f3a';
const JSON_TYPE = { 'Content-Type': 'application/json' };

afterEach(() => {
	triggerClock.now = () => Date.now();
});

afterAll(async () => {
	await closeAllTriggers();
	await releaseAllEngines();
});

/** What n8n hands the node for a signed JSON request: the exact bytes and the parsed body. */
function signed(body: unknown, options: { secret?: string; t?: number; type?: string } = {}) {
	const rawBody = typeof body === 'string' ? body : JSON.stringify(body);
	const t = options.t ?? Math.floor(triggerClock.now() / 1000);
	return {
		body: typeof body === 'string' ? undefined : (body as IDataObject),
		rawBody,
		headers: { 'Content-Type': options.type ?? 'application/json', 'X-Coupon-Kit-Signature': signatureHeaderValue(options.secret ?? SECRET, t, rawBody) },
	};
}

describe.each(STORES)('Coupon Webhook Trigger reliability on the %s store', (_kind, makeStore) => {
	let store: ICredentialDataDecryptedObject;
	let scope: string;
	let code: string;

	beforeEach(async () => {
		store = makeStore();
		scope = `s${Math.random().toString(36).slice(2)}`;
		await couponJson(store, { resource: 'campaign', operation: 'create', campaignId: 'spring', discountType: 'percent', discountValue: 10, additionalFields: { perCode: 100 } });
		[{ code }] = (await couponJson(store, { resource: 'code', operation: 'issue', campaignId: 'spring' })) as Array<{ code: string }>;
	});

	function trigger(parameters: INodeParameters, secret = SECRET) {
		const trig = node('Shop events', WEBHOOK_TRIGGER, { ...parameters, options: { scope, ...((parameters.options as IDataObject) ?? {}) } }, {
			credentials: { ...STORE_REF, couponKitWebhookApi: { id: 'wh', name: 'Signing' } },
			webhookId: 'c0ffee00-0000-4000-8000-000000000006',
		});
		const workflow = makeWorkflow({ nodes: [trig], connections: {} }, allTypes());
		const credentials = { couponKitStoreApi: store, couponKitWebhookApi: { secret } };
		return (request: { body?: IDataObject; rawBody?: string | Buffer; headers?: Record<string, string> }) => deliver(workflow, trig, credentials, request);
	}

	const everything = { events: ['purchaseOverThreshold', 'nthPurchase', 'orderWithCode', 'cartActivity'], thresholdAmount: 1, thresholdCurrency: 'EUR', purchaseNumbers: '1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20' };

	const order = (id: string, extra: IDataObject = {}) => ({ kind: 'order', orderId: id, customerId: 'ann', total: 40, currency: 'EUR', codes: [code], ...extra });
	const emitted = (d: Awaited<ReturnType<ReturnType<typeof trigger>>>) => (d.result.workflowData?.[0] ?? []).map((i) => i.json);

	/** The ledger and the trigger state, read from a connection of their own. */
	async function snapshot(): Promise<{ events: string[]; nextCartDue: number | null }> {
		const options = credentialToStoreOptions(store);
		const engine = await acquireEngine(options);
		const triggers = await createTriggers({ store: options, scope });
		try {
			return { events: (await engine.events({ limit: 1000 })).events.map((e) => e.id), nextCartDue: await triggers.nextDueAt(['cart']) };
		} finally {
			await triggers.close();
			await releaseEngine(options);
		}
	}

	test('bad requests get a 4xx, record nothing, and the next good request is taken', async () => {
		const send = trigger(everything);
		const now = Math.floor(Date.now() / 1000);
		const valid = JSON.stringify(order('bad'));
		const bad: Array<[string, Parameters<typeof send>[0], number, IDataObject]> = [
			['malformed JSON (n8n itself answers 422 for application/json; a +json type reaches the node)', signed('{"kind":"order","orderId":', { type: 'application/vnd.shop+json' }), 400, { error: 'body', message: 'the body is not valid JSON' }],
			['malformed JSON sent as application/json', signed('{"kind":"order",'), 400, { error: 'body' }],
			['an empty body', signed(''), 400, { error: 'body', message: 'the body is empty; send one JSON object' }],
			['text/plain', signed(valid, { type: 'text/plain' }), 415, { error: 'content-type' }],
			['a form', signed(valid, { type: 'application/x-www-form-urlencoded' }), 415, { error: 'content-type' }],
			['JSON in another charset', signed(valid, { type: 'application/json; charset=latin1' }), 415, { error: 'content-type' }],
			['no content type', { rawBody: valid, headers: { 'X-Coupon-Kit-Signature': signatureHeaderValue(SECRET, now, valid) } }, 415, { error: 'content-type' }],
			['a body over 1 MiB', signed({ ...order('big'), pad: 'x'.repeat(MAX_WEBHOOK_BODY_BYTES) }), 413, { error: 'body', message: `the body is larger than ${MAX_WEBHOOK_BODY_BYTES} bytes` }],
			['no signature header', { body: order('bad'), headers: JSON_TYPE }, 401, { error: 'signature', reason: 'MISSING_SIGNATURE' }],
			['a signature without its timestamp', { body: order('bad'), headers: { ...JSON_TYPE, 'X-Coupon-Kit-Signature': `v1=${'a'.repeat(64)}` } }, 401, { reason: 'MALFORMED_SIGNATURE' }],
			[
				'the signature header twice (joined by Node with ", ")',
				{ rawBody: valid, headers: { ...JSON_TYPE, 'X-Coupon-Kit-Signature': `${signatureHeaderValue(SECRET, now, valid)}, ${signatureHeaderValue(SECRET, now, valid)}` } },
				401,
				{ reason: 'MALFORMED_SIGNATURE', message: 'The X-Coupon-Kit-Signature header was sent more than once' },
			],
			['another secret', signed(order('bad'), { secret: 'guessed' }), 401, { reason: 'SIGNATURE_MISMATCH' }],
			['a timestamp 301 s old', signed(order('bad'), { t: now - 301 }), 401, { reason: 'TIMESTAMP_OUT_OF_RANGE' }],
			['a list', signed([order('bad')]), 422, { error: 'body', message: 'the body must be one JSON object (an order or a cart)' }],
			['a number', signed('42'), 422, { error: 'body' }],
			['neither order nor cart', signed({ hello: 'world' }), 422, { error: 'kind', field: 'kind' }],
			['an order without a total', signed({ kind: 'order', orderId: 'bad', currency: 'EUR', codes: [code] }), 422, { error: 'field', field: 'total' }],
			['an order with a text total', signed({ ...order('bad'), total: 'lots' }), 422, { error: 'field', field: 'total' }],
			['a cart without an id', signed({ kind: 'cart', value: 10 }), 422, { error: 'field', field: 'cartId' }],
		];

		let good = 0;
		for (const [what, request, status, body] of bad) {
			const before = await snapshot();
			const refused = await send(request);
			expect({ what, status: refused.answer?.status, body: refused.answer?.body }).toEqual({ what, status, body: expect.objectContaining(body) });
			expect(refused.result).toEqual({ noWebhookResponse: true });
			expect({ what, ...(await snapshot()) }).toEqual({ what, ...before });

			// Right after: a good order is taken, and counts as the customer's next purchase only.
			good += 1;
			const taken = await send(signed(order(`good-${good}`)));
			expect({ what, answer: taken.answer }).toEqual({ what, answer: null });
			expect(emitted(taken).find((i) => i.event === 'nthPurchase')).toMatchObject({ orderId: `good-${good}`, purchaseCount: good });
			expect(emitted(taken).find((i) => i.event === 'orderWithCode')).toMatchObject({ redemption: { ok: true } });
		}
		// Nothing refused was redeemed: one redemption per good order.
		const [stats] = await couponJson(store, { resource: 'analytics', operation: 'stats', groupBy: 'none', filters: { campaignId: 'spring' } });
		expect(stats).toMatchObject({ redeemed: good });
	});

	test('a refused cart arms nothing', async () => {
		const send = trigger({ events: ['cartActivity'], options: { outputCartEvents: true } });
		const before = await snapshot();
		expect((await send(signed({ kind: 'cart', cartId: 'k1', value: 50, currency: 'EUR' }, { secret: 'nope' }))).answer?.status).toBe(401);
		expect((await send(signed({ kind: 'cart', cartId: 'k1', value: 'much' }))).answer?.status).toBe(422);
		expect(await snapshot()).toEqual(before);
		expect(emitted(await send(signed({ kind: 'cart', cartId: 'k1', value: 50, currency: 'EUR' })))).toEqual([expect.objectContaining({ cartId: 'k1', state: 'open' })]);
		expect((await snapshot()).nextCartDue).not.toBeNull();
	});

	test('a replayed signed delivery fires once and records once, also after a restart', async () => {
		const send = trigger(everything);
		const delivery = signed(order('r-1'));
		const first = await send(delivery);
		expect(emitted(first).map((i) => i.event).sort()).toEqual(['nthPurchase', 'orderWithCode', 'purchaseOverThreshold']);
		const recorded = await snapshot();

		const replay = await send(delivery);
		expect(replay.result).toEqual({ webhookResponse: { received: true, duplicate: true, emitted: 0 } });
		expect(await snapshot()).toEqual(recorded);

		// A restart: every open store and trigger connection closed, reopened from the credentials.
		await closeAllTriggers();
		await releaseAllEngines();
		expect((await send(delivery)).result).toEqual({ webhookResponse: { received: true, duplicate: true, emitted: 0 } });
		expect(await snapshot()).toEqual(recorded);
	});

	test('a replayed cart event fires once; the same cart with new activity fires again', async () => {
		const send = trigger({ events: ['cartActivity'], options: { outputCartEvents: true } });
		const at = new Date(triggerClock.now()).toISOString();
		const delivery = signed({ kind: 'cart', cartId: 'k2', value: 50, currency: 'EUR', at });
		expect(emitted(await send(delivery))).toHaveLength(1);
		await closeAllTriggers();
		expect((await send(delivery)).result.webhookResponse).toEqual({ received: true, duplicate: true, emitted: 0 });
		const later = signed({ kind: 'cart', cartId: 'k2', value: 55, currency: 'EUR', at: new Date(triggerClock.now() + 1000).toISOString() });
		expect(emitted(await send(later))).toHaveLength(1);
	});

	test('a replay outside the tolerance window is refused with 401; the window is configurable', async () => {
		let now = Date.now();
		triggerClock.now = () => now;
		const send = trigger(everything);
		const delivery = signed(order('w-1'));
		expect(emitted(await send(delivery))).not.toHaveLength(0);
		const recorded = await snapshot();
		now += 301_000;
		expect((await send(delivery)).answer).toMatchObject({ status: 401, body: { reason: 'TIMESTAMP_OUT_OF_RANGE' } });
		expect(await snapshot()).toEqual(recorded);

		const strict = trigger({ ...everything, options: { toleranceSeconds: 60 } });
		const minuteOld = signed(order('w-2'), { t: Math.floor(now / 1000) - 61 });
		expect((await strict(minuteOld)).answer).toMatchObject({ status: 401, body: { reason: 'TIMESTAMP_OUT_OF_RANGE', message: expect.stringMatching(/60 s/) } });
		expect((await send(minuteOld)).answer).toBeNull();
	});
});

describe('Coupon Webhook Trigger: signed unless told otherwise', () => {
	const store = STORES[0][1]();

	function trigger(parameters: INodeParameters, credentials: Record<string, ICredentialDataDecryptedObject>) {
		const trig = node('Shop events', WEBHOOK_TRIGGER, { events: ['purchaseOverThreshold'], thresholdAmount: 1, ...parameters, options: { scope: `u${Math.random().toString(36).slice(2)}` } }, {
			credentials: { ...STORE_REF, couponKitWebhookApi: { id: 'wh', name: 'Signing' } },
			webhookId: 'c0ffee00-0000-4000-8000-000000000007',
		});
		const workflow = makeWorkflow({ nodes: [trig], connections: {} }, allTypes());
		return (request: { body?: IDataObject; rawBody?: string; headers?: Record<string, string> }) => deliver(workflow, trig, { couponKitStoreApi: store, ...credentials }, request);
	}

	const body = { kind: 'order', orderId: 'u-1', total: 20, currency: 'EUR' };

	test('a credential without a signing secret refuses every request with 401', async () => {
		const send = trigger({}, { couponKitWebhookApi: { secret: '' } });
		expect((await send({ body, headers: JSON_TYPE })).answer).toEqual({
			status: 401,
			body: { error: 'signature', reason: 'NO_SECRET', message: 'this endpoint has no signing secret set, so it takes no deliveries' },
		});
	});

	test('Accept Unsigned Requests takes them without a credential, and warns about it', async () => {
		const send = trigger({ acceptUnsigned: true }, {});
		const taken = await send({ body, headers: JSON_TYPE });
		expect(taken.answer).toBeNull();
		expect(taken.result.workflowData?.[0]).toHaveLength(1);
		// Unsigned requests carry nothing to recognise a replay by: the order id still counts it once.
		expect((await send({ body, headers: JSON_TYPE })).result.webhookResponse).toEqual({ received: true, duplicate: true, emitted: 0 });
		expect((await send({ body, headers: { 'Content-Type': 'text/plain' } })).answer?.status).toBe(415);
	});

	test('the option is off by default; the warning and the credential follow it', () => {
		const { properties, credentials } = new CouponWebhookTrigger().description;
		expect(properties.find((p) => p.name === 'acceptUnsigned')).toMatchObject({ displayName: 'Accept Unsigned Requests', type: 'boolean', default: false });
		expect(properties.find((p) => p.name === 'unsignedNotice')).toMatchObject({
			type: 'notice',
			displayName: expect.stringMatching(/anyone who knows this webhook URL can post orders/),
			displayOptions: { show: { acceptUnsigned: [true] } },
		});
		expect(credentials?.find((c) => c.name === 'couponKitWebhookApi')).toMatchObject({ required: true, displayOptions: { show: { acceptUnsigned: [false] } } });
	});
});
