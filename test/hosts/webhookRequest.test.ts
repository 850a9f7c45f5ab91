// The request check both webhook hosts share (core/hosts/webhookRequest), without a host around it.
import {
	checkWebhookRequest,
	claimDelivery,
	isJsonContentType,
	memoryDeliveries,
	refusalBody,
	type WebhookRequestSettings,
} from '../../core/hosts/webhookRequest';
import { signatureHeaderValue } from '../../core/platforms/webhook';

const SECRET = 'whsec_core';
const NOW = Date.parse('2026-11-26T12:00:00Z');
const T = NOW / 1000;
const settings: WebhookRequestSettings = { secret: SECRET, acceptUnsigned: false, now: NOW, kind: 'auto' };

function signedRequest(body: string, headers: Record<string, string> = {}) {
	return { headers: { 'content-type': 'application/json', 'x-coupon-kit-signature': signatureHeaderValue(SECRET, T, body), ...headers }, body };
}

describe('content types', () => {
	test.each([
		['application/json', true],
		['Application/JSON; charset=UTF-8', true],
		['application/json; charset="utf-8"', true],
		['application/vnd.shop.order+json', true],
		['application/problem+json; charset=utf8', true],
		['application/json; charset=iso-8859-1', false],
		['text/json', false],
		['application/jsonp', false],
		['application/x-www-form-urlencoded', false],
		['multipart/form-data; boundary=x', false],
		['', false],
	])('%s → %s', (type, ok) => {
		expect(isJsonContentType(type)).toBe(ok);
	});

	test('no content type at all', () => {
		expect(isJsonContentType(undefined)).toBe(false);
	});
});

describe('checkWebhookRequest', () => {
	test('the first failing check answers, in order: 415, 413, 401, 400, 422', async () => {
		const tooBig = 'x'.repeat(20);
		const refusal = async (input: Parameters<typeof checkWebhookRequest>[0], over: Partial<WebhookRequestSettings> = {}) => {
			const r = await checkWebhookRequest(input, { ...settings, maxBytes: 10, ...over });
			return r.ok ? null : [r.refusal.status, r.refusal.error];
		};
		// Wrong type and too big and unsigned: the type speaks first.
		expect(await refusal({ headers: { 'content-type': 'text/plain' }, body: tooBig })).toEqual([415, 'content-type']);
		expect(await refusal({ headers: { 'content-type': 'application/json' }, body: tooBig })).toEqual([413, 'body']);
		expect(await refusal({ headers: { 'content-type': 'application/json' }, body: '{' })).toEqual([401, 'signature']);
		expect(await refusal(signedRequest('{'))).toEqual([400, 'body']);
		expect(await refusal(signedRequest('[]'))).toEqual([422, 'body']);
	});

	test('a reader that stops at the limit is given the limit', async () => {
		const limits: number[] = [];
		const result = await checkWebhookRequest(
			{
				headers: { 'content-type': 'application/json' },
				body: async (limit) => {
					limits.push(limit);
					return null;
				},
			},
			settings,
		);
		expect(limits).toEqual([1024 * 1024]);
		expect(result).toEqual({ ok: false, refusal: { status: 413, error: 'body', message: 'the body is larger than 1048576 bytes' } });
	});

	test('a signed order comes back normalised, with the key of this exact delivery', async () => {
		const body = JSON.stringify({ kind: 'order', order_id: 7, total_price: '12.50', currency: 'eur' });
		const result = await checkWebhookRequest(signedRequest(body, { 'x-coupon-kit-delivery': 'd-1', 'x-coupon-kit-event': 'order.created' }), settings);
		if (!result.ok) throw new Error(result.refusal.message);
		expect(result.request).toMatchObject({ kind: 'order', verified: true, signedAt: T, deliveryId: 'd-1', event: 'order.created', order: { orderId: '7', total: 12.5, currency: 'EUR' } });
		expect(result.request.replayKey).toMatch(/^[0-9a-f]{64}$/);
		const again = await checkWebhookRequest(signedRequest(body), settings);
		expect(again.ok && again.request.replayKey).toBe(result.request.replayKey);
	});

	test('unsigned requests: refused without a secret, taken when accepted, with nothing to replay by', async () => {
		const body = JSON.stringify({ kind: 'cart', cartId: 'k', value: 3 });
		const unsigned = { headers: { 'content-type': 'application/json' }, body };
		expect(await checkWebhookRequest(unsigned, { ...settings, secret: ['', ''] })).toMatchObject({ ok: false, refusal: { status: 401, reason: 'NO_SECRET' } });
		const taken = await checkWebhookRequest(unsigned, { ...settings, secret: '', acceptUnsigned: true });
		expect(taken).toMatchObject({ ok: true, request: { kind: 'cart', verified: false, signedAt: null, replayKey: null } });
	});

	test('the answer body names what is wrong and nothing else', () => {
		expect(refusalBody({ status: 422, error: 'field', message: 'total: is required', field: 'total' })).toEqual({ error: 'field', message: 'total: is required', field: 'total' });
		expect(refusalBody({ status: 401, error: 'signature', message: 'm', reason: 'SIGNATURE_MISMATCH' })).toEqual({ error: 'signature', message: 'm', reason: 'SIGNATURE_MISMATCH' });
	});
});

describe('claimDelivery', () => {
	test('claims until the signed time leaves the window; endpoints are apart; release forgets', async () => {
		let now = NOW;
		const ledger = memoryDeliveries(() => now);
		const result = await checkWebhookRequest(signedRequest('{"kind":"cart","cartId":"k","value":1}'), settings);
		if (!result.ok) throw new Error(result.refusal.message);
		const claim = (endpoint = 'a') => claimDelivery(ledger, result.request, { endpoint, now, toleranceSeconds: 300 });

		expect((await claim()).duplicate).toBe(false);
		expect((await claim()).duplicate).toBe(true);
		expect((await claim('b')).duplicate).toBe(false);
		now += 300_000;
		expect((await claim()).duplicate).toBe(true);
		now += 2_000;
		expect((await claim()).duplicate).toBe(false);
		await (await claim('c')).release();
		expect((await claim('c')).duplicate).toBe(false);
	});

	test('an unsigned request claims nothing', async () => {
		const result = await checkWebhookRequest({ headers: { 'content-type': 'application/json' }, body: '{"kind":"cart","cartId":"k","value":1}' }, { ...settings, acceptUnsigned: true });
		if (!result.ok) throw new Error(result.refusal.message);
		const untouchable = {
			claimDelivery: () => Promise.reject(new Error('an unsigned request has nothing to claim')),
			releaseDelivery: () => Promise.reject(new Error('nothing to release')),
		};
		const claim = await claimDelivery(untouchable, result.request, { endpoint: 'a', now: NOW });
		expect(claim.duplicate).toBe(false);
		await claim.release();
	});

	test('the in-memory ledger stays bounded', async () => {
		const ledger = memoryDeliveries(() => NOW, 3);
		for (const key of ['1', '2', '3', '4']) expect(await ledger.claimDelivery(key, 60_000)).toBe(true);
		// The oldest was dropped to keep three.
		expect(await ledger.claimDelivery('1', 60_000)).toBe(true);
		expect(await ledger.claimDelivery('4', 60_000)).toBe(false);
	});
});
