// The signed-webhook scheme both directions use (core/platforms/webhook.ts), and the shared operation
// table's argument reading (core/hosts/operations.ts) that the Coupon node relies on.
import { InvalidArgumentError } from '../../core/errors';
import { codesToCsv, parseCouponOperation } from '../../core/hosts/operations';
import {
	buildWebhookRequest,
	computeSignature,
	parseSignatureHeader,
	signatureHeaderValue,
	verifySignature,
} from '../../core/platforms/webhook';

const SECRET = 'whsec_abc';
const BODY = '{"code":"X"}';
const T = 1_800_000_000;

describe('signature', () => {
	test('known answer: HMAC-SHA256 over "<t>.<body>"', () => {
		// Reproducible by any receiver: printf '1800000000.{"code":"X"}' | openssl dgst -sha256 -hmac whsec_abc
		expect(computeSignature(SECRET, T, BODY)).toBe('7bfe3ae06c6ec8d29ed8e125cf83e60186b34561bb2b340a11cf2a4a7ca0694c');
		expect(signatureHeaderValue(SECRET, T, BODY)).toBe(`t=${T},v1=${computeSignature(SECRET, T, BODY)}`);
		expect(computeSignature(SECRET, T, Buffer.from(BODY))).toBe(computeSignature(SECRET, T, BODY));
	});

	test('verifies, with tolerance, rotation and the exact bytes', () => {
		const header = signatureHeaderValue(SECRET, T, BODY);
		expect(verifySignature({ secret: SECRET, rawBody: BODY, header, nowSeconds: T + 299 })).toEqual({ ok: true, timestamp: T });
		expect(verifySignature({ secret: SECRET, rawBody: BODY, header, nowSeconds: T + 301 })).toMatchObject({ ok: false, reason: 'TIMESTAMP_OUT_OF_RANGE' });
		expect(verifySignature({ secret: SECRET, rawBody: BODY, header, nowSeconds: T - 301 })).toMatchObject({ ok: false, reason: 'TIMESTAMP_OUT_OF_RANGE' });
		expect(verifySignature({ secret: ['old', SECRET], rawBody: BODY, header, nowSeconds: T })).toMatchObject({ ok: true });
		const both = `t=${T},v1=${computeSignature('new', T, BODY)},v1=${computeSignature(SECRET, T, BODY)}`;
		expect(verifySignature({ secret: SECRET, rawBody: BODY, header: both, nowSeconds: T })).toMatchObject({ ok: true });
		expect(verifySignature({ secret: SECRET, rawBody: `${BODY} `, header, nowSeconds: T })).toMatchObject({ ok: false, reason: 'SIGNATURE_MISMATCH' });
		expect(verifySignature({ secret: 'other', rawBody: BODY, header, nowSeconds: T })).toMatchObject({ ok: false, reason: 'SIGNATURE_MISMATCH' });
	});

	test('refuses missing, repeated and malformed headers', () => {
		expect(verifySignature({ secret: SECRET, rawBody: BODY, header: undefined })).toMatchObject({ reason: 'MISSING_SIGNATURE' });
		expect(verifySignature({ secret: SECRET, rawBody: BODY, header: [] })).toMatchObject({ reason: 'MISSING_SIGNATURE' });
		const h = signatureHeaderValue(SECRET, T, BODY);
		expect(verifySignature({ secret: SECRET, rawBody: BODY, header: [h, h], nowSeconds: T })).toMatchObject({ reason: 'MALFORMED_SIGNATURE' });
		// Node's http hands a header sent twice over as one value joined with ", ".
		const other = signatureHeaderValue(SECRET, T + 1, BODY);
		for (const joined of [`${h}, ${h}`, `${h}, ${other}`, `${other}, ${h}`]) {
			expect(verifySignature({ secret: SECRET, rawBody: BODY, header: joined, nowSeconds: T })).toEqual({
				ok: false,
				reason: 'MALFORMED_SIGNATURE',
				message: 'The X-Coupon-Kit-Signature header was sent more than once',
			});
		}
		expect(parseSignatureHeader(`${h}, ${other}`)).toBeNull();
		for (const bad of ['v1=abc', `t=${T}`, `t=soon,v1=${'a'.repeat(64)}`, `t=${T},v1=zz`, 'garbage']) {
			expect(verifySignature({ secret: SECRET, rawBody: BODY, header: bad, nowSeconds: T })).toMatchObject({ reason: 'MALFORMED_SIGNATURE' });
		}
		expect(parseSignatureHeader(`t=${T}, v0=x, v1=${'A'.repeat(64)}`)).toEqual({ timestamp: T, signatures: ['a'.repeat(64)] });
	});
});

describe('buildWebhookRequest', () => {
	test('plain data: method, URL, headers and the exact body signed', () => {
		const request = buildWebhookRequest({
			url: 'https://example.com/h?x=1',
			payload: { code: 'X' },
			secret: SECRET,
			event: 'coupon.issued',
			deliveryId: 'd-1',
			headers: { 'X-Shop': 'berlin' },
			timestampSeconds: T,
		});
		expect(request).toEqual({
			method: 'POST',
			url: 'https://example.com/h?x=1',
			headers: {
				'X-Shop': 'berlin',
				'Content-Type': 'application/json',
				'User-Agent': 'coupon-kit-webhook/1',
				'X-Coupon-Kit-Delivery': 'd-1',
				'X-Coupon-Kit-Event': 'coupon.issued',
				'X-Coupon-Kit-Signature': signatureHeaderValue(SECRET, T, BODY),
			},
			body: BODY,
		});
	});

	test('bad input names the field', () => {
		const build = (over: object) => () => buildWebhookRequest({ url: 'https://e.com', payload: {}, ...over });
		expect(build({ url: 'not a url' })).toThrow(new InvalidArgumentError('url', 'is not a valid URL (e.g. https://example.com/hooks/coupons)'));
		expect(build({ url: 'file:///etc/passwd' })).toThrow(/^url: must start with https:\/\/ or http:\/\//);
		expect(build({ method: 'GET' })).toThrow(/^method:/);
		expect(build({ headers: { 'X-Coupon-Kit-Signature': 'forged' } })).toThrow(/^headers: "X-Coupon-Kit-Signature" is set by Coupon Kit/);
		expect(build({ headers: { 'bad header': 'x' } })).toThrow(/^headers: "bad header" is not a valid header name/);
		const cyclic: Record<string, unknown> = {};
		cyclic.self = cyclic;
		expect(build({ payload: cyclic })).toThrow(/^payload:/);
	});
});

describe('operation table: host fields in, named errors out', () => {
	const fails = (resource: string, operation: string, args: Record<string, unknown>) => {
		try {
			parseCouponOperation(resource, operation, args);
		} catch (e) {
			return e instanceof InvalidArgumentError ? `${e.field}: ${e.message}` : String(e);
		}
		return 'no error';
	};

	test('form strings become typed engine input', () => {
		expect(
			parseCouponOperation('code', 'redeem', {
				code: ' SPRING-1 ',
				orderAmount: '19.90',
				segments: 'vip, newsletter\nlocal',
				firstOrder: 'true',
				customerId: '',
			}),
		).toEqual({ code: 'SPRING-1', orderAmount: 19.9, segments: ['vip', 'newsletter', 'local'], firstOrder: true });
		expect(
			parseCouponOperation('campaign', 'create', {
				campaignId: 'c',
				discountType: 'fixed',
				discountAmount: '5',
				discountCurrency: 'EUR',
				totalRedemptions: 10,
				windows: '[{"days":["sat"]}]',
				metadata: '{"a":1}',
			}),
		).toEqual({
			id: 'c',
			discount: { type: 'fixed', amount: 5, currency: 'EUR' },
			limits: { total: 10 },
			validity: { windows: [{ days: ['sat'] }] },
			metadata: { a: 1 },
		});
	});

	test('errors name the host field', () => {
		expect(fails('code', 'issue', {})).toBe('campaignId: campaignId: is required');
		expect(fails('code', 'validate', { code: 'x', orderAmount: 'ten' })).toBe('orderAmount: orderAmount: must be a number (got "ten")');
		expect(fails('code', 'issue', { campaignId: 'c', metadata: '[1]' })).toBe('metadata: metadata: must be a JSON object (got a list)');
		expect(fails('campaign', 'create', { campaignId: 'c', discountType: 'percent' })).toBe('discountValue: discountValue: is required for a percent discount');
		expect(fails('campaign', 'update', { campaignId: 'c', codePattern: 'X-###' })).toMatch(/^codePattern: .*cannot change/);
		expect(fails('campaign', 'update', { campaignId: 'c' })).toMatch(/^patch: .*nothing to change/);
		expect(fails('campaign', 'update', { campaignId: 'c', discountValue: 20 })).toBe('discountType: discountType: is required when discountValue is given');
		expect(fails('analytics', 'stats', { groupBy: 'week' })).toBe('groupBy: groupBy: must be day, channel or campaign (got "week")');
		expect(fails('code', 'fly', {})).toBe('operation: operation: "code.fly" is not a Coupon operation');
		// A prefix keeps its spaces, but something that is not text is an error, not silently left out.
		expect(fails('campaign', 'create', { campaignId: 'c', discountType: 'freeShipping', prefix: { a: 1 } })).toBe('prefix: prefix: must be text (got an object)');
		expect(fails('campaign', 'create', { campaignId: 'c', discountType: 'freeShipping', postfix: true })).toBe('postfix: postfix: must be text (got true)');
		expect(parseCouponOperation('campaign', 'create', { campaignId: 'c', discountType: 'freeShipping', prefix: 'SP- ' })).toMatchObject({ code: { prefix: 'SP- ' } });
	});

	test('CSV: header, CRLF lines, quoting and no spreadsheet formulas', () => {
		expect(codesToCsv(['AB-1', '=HYPERLINK("x")', 'a,b'], { campaignId: 'spring' })).toBe(
			'code,campaignId\r\nAB-1,spring\r\n"\'=HYPERLINK(""x"")",spring\r\n"a,b",spring\r\n',
		);
	});
});
