// Coupon Kit's own signed webhook, outbound (to any URL) and inbound (to our webhook triggers).
//
// Scheme, documented for receivers in docs/n8n.md:
//   X-Coupon-Kit-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
// Several v1= entries may appear (secret rotation); one match is enough. A receiver recomputes the
// HMAC over the exact bytes it received, compares in constant time and refuses a timestamp further
// than the tolerance (default 300 s) from its clock, which stops replays of old deliveries.
import { createHmac, timingSafeEqual } from 'node:crypto';

import { InvalidArgumentError } from '../errors';
import { newId } from '../ids';
import type { HttpMethod, PlatformRequest, VerificationResult } from './types';

export const WEBHOOK_PLATFORM_ID = 'webhook';
export const SIGNATURE_HEADER = 'X-Coupon-Kit-Signature';
export const EVENT_HEADER = 'X-Coupon-Kit-Event';
export const DELIVERY_HEADER = 'X-Coupon-Kit-Delivery';
export const SIGNATURE_VERSION = 'v1';
export const DEFAULT_TOLERANCE_SECONDS = 300;
export const USER_AGENT = 'coupon-kit-webhook/1';

const RESERVED_HEADERS = new Set(
	[SIGNATURE_HEADER, EVENT_HEADER, DELIVERY_HEADER, 'content-type'].map((h) => h.toLowerCase()),
);

/** Hex HMAC-SHA256 of `<timestamp>.<raw body>`. */
export function computeSignature(secret: string, timestampSeconds: number, rawBody: string | Buffer): string {
	const hmac = createHmac('sha256', secret);
	hmac.update(`${timestampSeconds}.`);
	hmac.update(rawBody);
	return hmac.digest('hex');
}

/** The full header value: `t=<unix>,v1=<hex>`. */
export function signatureHeaderValue(secret: string, timestampSeconds: number, rawBody: string | Buffer): string {
	return `t=${timestampSeconds},${SIGNATURE_VERSION}=${computeSignature(secret, timestampSeconds, rawBody)}`;
}

export interface ParsedSignatureHeader {
	timestamp: number;
	signatures: string[];
}

/** Reads `t=…,v1=…[,v1=…]`; unknown schemes are ignored, a missing or repeated `t` or no `v1` gives null. */
export function parseSignatureHeader(value: string): ParsedSignatureHeader | null {
	let timestamp: number | null = null;
	const signatures: string[] = [];
	for (const part of value.split(',')) {
		const eq = part.indexOf('=');
		if (eq <= 0) continue;
		const key = part.slice(0, eq).trim();
		const val = part.slice(eq + 1).trim();
		if (key === 't') {
			if (timestamp !== null || !/^\d{1,12}$/.test(val)) return null;
			timestamp = Number(val);
		} else if (key === SIGNATURE_VERSION && /^[0-9a-f]{64}$/i.test(val)) {
			signatures.push(val.toLowerCase());
		}
	}
	if (timestamp === null || signatures.length === 0) return null;
	return { timestamp, signatures };
}

function timestampCount(value: string): number {
	return value.split(',').filter((part) => part.slice(0, part.indexOf('=')).trim() === 't').length;
}

function safeEqualHex(a: string, b: string): boolean {
	const left = Buffer.from(a, 'hex');
	const right = Buffer.from(b, 'hex');
	return left.length === right.length && timingSafeEqual(left, right);
}

export interface VerifyInput {
	/** One secret, or several while rotating. */
	secret: string | string[];
	/** The request body exactly as received. */
	rawBody: string | Buffer;
	/** The `X-Coupon-Kit-Signature` header; a repeated header (several values, or joined with ", ") is refused. */
	header: string | string[] | undefined;
	/** Epoch seconds; defaults to the system clock. */
	nowSeconds?: number;
	/** Allowed distance between the signed timestamp and now; `Infinity` turns the check off. */
	toleranceSeconds?: number;
}

export function verifySignature(input: VerifyInput): VerificationResult {
	const { header } = input;
	if (header === undefined || header === '' || (Array.isArray(header) && header.length === 0)) {
		return { ok: false, reason: 'MISSING_SIGNATURE', message: `The ${SIGNATURE_HEADER} header is missing` };
	}
	const value = Array.isArray(header) ? header[0] : header;
	// Node's http joins a repeated header into one value with ", ": two `t=` mean two headers.
	if ((Array.isArray(header) && header.length > 1) || timestampCount(value) > 1) {
		return { ok: false, reason: 'MALFORMED_SIGNATURE', message: `The ${SIGNATURE_HEADER} header was sent more than once` };
	}
	const parsed = parseSignatureHeader(value);
	if (!parsed) {
		return {
			ok: false,
			reason: 'MALFORMED_SIGNATURE',
			message: `The ${SIGNATURE_HEADER} header is not of the form t=<unix seconds>,v1=<hex>`,
		};
	}
	const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
	const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
	if (Math.abs(now - parsed.timestamp) > tolerance) {
		return {
			ok: false,
			reason: 'TIMESTAMP_OUT_OF_RANGE',
			message: `The signed timestamp is more than ${tolerance} s away from this server's clock`,
		};
	}
	const secrets = (Array.isArray(input.secret) ? input.secret : [input.secret]).filter((s) => s !== '');
	for (const secret of secrets) {
		const expected = computeSignature(secret, parsed.timestamp, input.rawBody);
		// Compare against every offered signature without stopping early, so timing says nothing.
		let match = false;
		for (const offered of parsed.signatures) match = safeEqualHex(expected, offered) || match;
		if (match) return { ok: true, timestamp: parsed.timestamp };
	}
	return { ok: false, reason: 'SIGNATURE_MISMATCH', message: 'The signature does not match the body and the secret' };
}

export interface WebhookRequestInput {
	url: string;
	method?: Extract<HttpMethod, 'POST' | 'PUT' | 'PATCH'>;
	/** Serialised as JSON; the signature covers these exact bytes. */
	payload: unknown;
	/** When set (non-empty) the request carries `X-Coupon-Kit-Signature`. */
	secret?: string;
	/** Name of what happened (e.g. `coupon.issued`), sent as `X-Coupon-Kit-Event`. */
	event?: string;
	/** Unique per delivery so receivers can drop duplicates; defaults to a new uuid v7. */
	deliveryId?: string;
	/** Extra headers; they cannot replace the ones this scheme sets. */
	headers?: Record<string, string>;
	/** Epoch seconds to sign with; defaults to the system clock. */
	timestampSeconds?: number;
}

/** Builds the outbound request as data. Throws InvalidArgumentError naming the field on bad input. */
export function buildWebhookRequest(input: WebhookRequestInput): PlatformRequest {
	let url: URL;
	try {
		url = new URL(input.url);
	} catch {
		throw new InvalidArgumentError('url', 'is not a valid URL (e.g. https://example.com/hooks/coupons)');
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new InvalidArgumentError('url', `must start with https:// or http://, not ${url.protocol}`);
	}
	const method = input.method ?? 'POST';
	if (!['POST', 'PUT', 'PATCH'].includes(method)) {
		throw new InvalidArgumentError('method', 'must be POST, PUT or PATCH');
	}
	let body: string;
	try {
		body = JSON.stringify(input.payload ?? {});
	} catch {
		throw new InvalidArgumentError('payload', 'cannot be turned into JSON (does it contain a cycle or a BigInt?)');
	}

	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(input.headers ?? {})) {
		if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
			throw new InvalidArgumentError('headers', `"${name}" is not a valid header name`);
		}
		if (RESERVED_HEADERS.has(name.toLowerCase())) {
			throw new InvalidArgumentError('headers', `"${name}" is set by Coupon Kit and cannot be replaced`);
		}
		headers[name] = String(value);
	}
	headers['Content-Type'] = 'application/json';
	if (!Object.keys(headers).some((h) => h.toLowerCase() === 'user-agent')) headers['User-Agent'] = USER_AGENT;
	headers[DELIVERY_HEADER] = input.deliveryId ?? newId();
	if (input.event) headers[EVENT_HEADER] = input.event;
	if (input.secret) {
		const t = input.timestampSeconds ?? Math.floor(Date.now() / 1000);
		headers[SIGNATURE_HEADER] = signatureHeaderValue(input.secret, t, body);
	}
	return { method, url: url.toString(), headers, body };
}
