// Coupon Platform: the signed outbound webhook, with the wire mocked by nock and nothing else.
import nock from 'nock';
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { runWorkflow } from './helpers/harness';
import { couponJson } from './helpers/run';
import { sqliteCredentials } from './helpers/stores';
import { chain, node, PLATFORM, platformTypes, STORE_REF } from './helpers/workflows';
import { computeSignature, verifySignature } from '../../core/platforms/webhook';
import { releaseAllEngines } from '../../nodes/n8n/shared/store';

const SECRET = 'whsec_test_4f9a1c0d2b7e';
const AUTH = 'Bearer sk_live_very_secret_token';
const WEBHOOK_CREDS = { secret: SECRET, authorization: AUTH };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(async () => {
	nock.enableNetConnect();
	// Jest gives each test file its own nock; the next file's must not meet this one's patches.
	nock.restore();
	await releaseAllEngines();
});

function platformNode(parameters: INodeParameters, extra = {}) {
	return node('Send', PLATFORM, { platform: 'webhook', action: 'send', ...parameters }, {
		credentials: { couponKitWebhookApi: { id: 'wh-1', name: 'Webhook' }, ...STORE_REF },
		...extra,
	});
}

async function runPlatform(
	parameters: INodeParameters,
	input: IDataObject[],
	credentials: Record<string, ICredentialDataDecryptedObject> = { couponKitWebhookApi: WEBHOOK_CREDS },
	extra = {},
) {
	const run = await runWorkflow(chain(platformNode(parameters, extra)), {
		nodeTypes: platformTypes(),
		credentials,
		input: input.map((json) => ({ json })),
	});
	const error = run.nodeError('Send') as (Error & { description?: string; httpCode?: string }) | undefined;
	return { run, error, json: error ? [] : run.json('Send') };
}

interface Captured {
	method: string;
	path: string;
	headers: Record<string, string>;
	body: string;
}

/** Answers once at `origin` + `path` and records exactly what arrived. */
function expectRequest(origin: string, method: 'post' | 'put' | 'patch', path: string, status = 200, reply: unknown = { received: true }) {
	const seen: Captured[] = [];
	nock(origin)
		[method](path)
		// nock 15 hands the reply function the fetch Request that arrived.
		.reply(async (request: Request) => {
			const headers: Record<string, string> = {};
			request.headers.forEach((value, name) => {
				headers[name] = value;
			});
			const url = new URL(request.url);
			seen.push({ method: request.method, path: url.pathname + url.search, headers, body: await request.text() });
			return [status, JSON.stringify(reply), { 'Content-Type': 'application/json' }];
		});
	return seen;
}

describe('Coupon Platform: signed webhook', () => {
	test('sends the item as signed JSON: method, URL, headers and body exactly', async () => {
		const seen = expectRequest('https://hooks.example.com', 'post', '/coupons?shop=1');
		const before = Math.floor(Date.now() / 1000);
		const { json, error } = await runPlatform(
			{
				url: 'https://hooks.example.com/coupons?shop=1',
				event: 'coupon.issued',
				options: { deliveryId: '={{ "d-" + $json.code }}', headers: { header: [{ name: 'X-Shop', value: 'berlin' }] } },
			},
			[{ code: 'SPRING-7KQ4-M2XD', email: 'ann@example.com', discount: { type: 'percent', value: 15 } }],
		);
		expect(error).toBeUndefined();
		expect(nock.isDone()).toBe(true);
		expect(seen).toHaveLength(1);
		const [req] = seen;
		expect(req.method).toBe('POST');
		expect(req.path).toBe('/coupons?shop=1');
		const body = '{"code":"SPRING-7KQ4-M2XD","email":"ann@example.com","discount":{"type":"percent","value":15}}';
		expect(req.body).toBe(body);
		const t = Number(/^t=(\d+),/.exec(req.headers['x-coupon-kit-signature'])?.[1]);
		expect(t).toBeGreaterThanOrEqual(before);
		expect(t).toBeLessThanOrEqual(before + 5);
		expect(req.headers).toMatchObject({
			'content-type': 'application/json',
			'user-agent': 'coupon-kit-webhook/1',
			'x-shop': 'berlin',
			authorization: AUTH,
			'x-coupon-kit-event': 'coupon.issued',
			'x-coupon-kit-delivery': 'd-SPRING-7KQ4-M2XD',
			'x-coupon-kit-signature': `t=${t},v1=${computeSignature(SECRET, t, body)}`,
		});
		// What a receiver does with our documented scheme:
		expect(verifySignature({ secret: SECRET, rawBody: req.body, header: req.headers['x-coupon-kit-signature'] })).toEqual({
			ok: true,
			timestamp: t,
		});
		expect(json).toEqual([
			{
				ok: true,
				platform: 'webhook',
				action: 'send',
				statusCode: 200,
				deliveryId: 'd-SPRING-7KQ4-M2XD',
				response: { received: true },
			},
		]);
	});

	test('custom JSON with PUT, no secret: no signature header', async () => {
		const seen = expectRequest('http://crm.local:8080', 'put', '/contacts/ann');
		const { error } = await runPlatform(
			{ url: 'http://crm.local:8080/contacts/ann', method: 'PUT', event: '', payloadSource: 'json', payload: '={"coupon": "{{ $json.code }}"}' },
			[{ code: 'ABC' }],
			{ couponKitWebhookApi: { secret: '', authorization: '' } },
		);
		expect(error).toBeUndefined();
		expect(seen[0].method).toBe('PUT');
		expect(seen[0].body).toBe('{"coupon":"ABC"}');
		expect(seen[0].headers['x-coupon-kit-signature']).toBeUndefined();
		expect(seen[0].headers['x-coupon-kit-event']).toBeUndefined();
		expect(seen[0].headers.authorization).toBeUndefined();
		expect(seen[0].headers['x-coupon-kit-delivery']).toMatch(/^[0-9a-f-]{36}$/);
	});

	test('a request nobody expected fails instead of going out', async () => {
		const { error, run } = await runPlatform({ url: 'https://unexpected.example.net/hook' }, [{ code: 'X' }]);
		expect(run.run.status).toBe('error');
		expect(error?.message).toBe('Could not reach https://unexpected.example.net');
		expect(error?.description).toMatch(/Nock: Disallowed net connect/);
		expect(JSON.stringify(run.run.data)).not.toContain(SECRET);
		expect(JSON.stringify(run.run.data)).not.toContain('sk_live_very_secret_token');
	});

	test('an error answer becomes NodeApiError; secrets echoed by the receiver are scrubbed', async () => {
		expectRequest('https://hooks.example.com', 'post', '/fail', 422, { error: `bad auth header ${AUTH}` });
		const { error, run } = await runPlatform({ url: 'https://hooks.example.com/fail' }, [{ code: 'X' }]);
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toBe('webhook: https://hooks.example.com answered 422');
		expect(error?.httpCode).toBe('422');
		expect(error?.description).toBe('The receiver said: {"error":"bad auth header ***"}');
		expect(JSON.stringify(run.run.data)).not.toContain('sk_live_very_secret_token');
	});

	test('continueOnFail: the failing item is data, the others are sent', async () => {
		expectRequest('https://hooks.example.com', 'post', '/a');
		expectRequest('https://hooks.example.com', 'post', '/c');
		const { json, error } = await runPlatform({ url: '={{ "https://hooks.example.com/" + $json.p }}' }, [{ p: 'a' }, { p: 'b' }, { p: 'c' }], undefined, {
			onError: 'continueRegularOutput',
		});
		expect(error).toBeUndefined();
		// nock answers 501 for a path nobody mocked on a mocked host: the unexpected request fails loudly.
		expect(json.map((j) => j.ok ?? j.error)).toEqual([true, 'webhook: https://hooks.example.com answered 501', true]);
		expect(nock.isDone()).toBe(true);
	});

	test('a bad URL names the field', async () => {
		const { error } = await runPlatform({ url: 'ftp://example.com/x' }, [{ code: 'X' }]);
		expect(error?.message).toBe('URL: must start with https:// or http://, not ftp:');
	});

	test('Record Delivery writes a delivered event to the ledger', async () => {
		const store = sqliteCredentials();
		await couponJson(store, { resource: 'campaign', operation: 'create', campaignId: 'spring', discountType: 'percent', discountValue: 10 });
		const [issued] = await couponJson(store, { resource: 'code', operation: 'issue', campaignId: 'spring' });
		expectRequest('https://hooks.example.com', 'post', '/deliver');
		const { json, error } = await runPlatform(
			{ url: 'https://hooks.example.com/deliver', recordDelivery: true, deliveryChannel: 'email', recipient: '={{ $json.email }}' },
			[{ code: issued.code, email: 'ann@example.com' }],
			{ couponKitWebhookApi: WEBHOOK_CREDS, couponKitStoreApi: store },
		);
		expect(error).toBeUndefined();
		expect(typeof json[0].deliveredEventId).toBe('string');
		const [stats] = await couponJson(store, { resource: 'analytics', operation: 'stats' });
		expect(stats).toMatchObject({ issued: 1, delivered: 1 });
	});
});
