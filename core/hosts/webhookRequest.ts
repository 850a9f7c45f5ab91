/**
 * One inbound webhook request, checked the same way by the n8n Coupon Webhook Trigger and the Node-RED
 * `coupon webhook`: content type, size, signature, JSON, and the order or cart it has to be.
 *
 * Exports:
 * - `checkWebhookRequest(input, settings)`: `{ ok: true, request }` with the parsed and normalised
 *   delivery, or `{ ok: false, refusal }` with the HTTP status and the words to answer. Nothing is
 *   written: a refusal records nothing anywhere.
 * - `claimDelivery(ledger, request, options)`: remembers a signed delivery so its replay is answered
 *   as a duplicate; `release()` forgets it again when handling it failed (the sender will retry).
 * - `refusalBody(refusal)`: the JSON answer to a refusal, the same on both hosts.
 * - `memoryDeliveries()`: a ledger of deliveries in process memory, for a host without a store.
 * - `MAX_WEBHOOK_BODY_BYTES` (1 MiB), `WEBHOOK_KINDS`, types `WebhookKind`, `WebhookRefusal`,
 *   `CheckedWebhookRequest`, `DeliveryLedger`.
 *
 * Checks, in this order (the first that fails answers):
 *   415 content-type  not application/json nor application/<anything>+json (charset, if given, utf-8)
 *   413 body          over `maxBytes`
 *   401 signature     no secret set (and unsigned requests not accepted), X-Coupon-Kit-Signature
 *                     missing, sent twice, malformed, wrong, or its time outside the tolerance
 *   400 body          empty, or not JSON
 *   422 body | kind | field   JSON, but not one object, neither order nor cart, or an order / cart
 *                     missing a field (named)
 */
import { createHash } from 'node:crypto';

import { InvalidArgumentError } from '../errors';
import { DEFAULT_TOLERANCE_SECONDS, DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verifySignature } from '../platforms/webhook';
import { normaliseCart, normaliseOrder } from '../triggers/events';
import type { NormalisedCart, NormalisedOrder } from '../triggers/types';

/** The largest body either host accepts (1 MiB). */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

export const WEBHOOK_KINDS = ['auto', 'order', 'cart', 'any'] as const;
/** What the body must be: told by the request (`auto`), always an order or a cart, or any JSON. */
export type WebhookKind = (typeof WEBHOOK_KINDS)[number];

export type HeaderValue = string | string[] | undefined;

export interface WebhookRequestInput {
	/** Header names in lower case, as Node's http hands them over. */
	headers: Record<string, HeaderValue>;
	/**
	 * The body exactly as received, or a reader that returns it, or null once it passes `limit`
	 * (so a host reading a stream can stop early).
	 */
	body: Buffer | string | undefined | ((limit: number) => Promise<Buffer | null>);
}

export interface WebhookRequestSettings {
	/** The signing secret (several while rotating); empty when none is set. */
	secret: string | string[];
	/** Take requests without checking any signature: anyone who knows the URL can post. */
	acceptUnsigned: boolean;
	/** Allowed distance of the signed time from `now` (default 300 s). */
	toleranceSeconds?: number;
	/** Epoch ms. */
	now: number;
	kind: WebhookKind;
	/** Dotted paths for fields the sender names differently (see core/triggers/events). */
	fields?: Record<string, string>;
	/** Used when an order or cart carries no currency. */
	defaultCurrency?: string;
	/** Default `MAX_WEBHOOK_BODY_BYTES`. */
	maxBytes?: number;
}

export interface CheckedWebhookRequest {
	kind: 'order' | 'cart' | 'any';
	/** The body as parsed JSON. */
	body: unknown;
	rawBody: Buffer;
	order?: NormalisedOrder;
	cart?: NormalisedCart;
	/** Whether a signature was checked (false with unsigned requests accepted). */
	verified: boolean;
	/** Epoch seconds the delivery was signed at, when verified. */
	signedAt: number | null;
	/** Names this exact signed delivery (signed time and body); null when not verified. */
	replayKey: string | null;
	deliveryId: string | null;
	event: string | null;
}

export interface WebhookRefusal {
	status: 400 | 401 | 413 | 415 | 422;
	/** What is wrong, in one word: `content-type`, `body`, `signature`, `kind` or `field`. */
	error: 'content-type' | 'body' | 'signature' | 'kind' | 'field';
	message: string;
	/** With `signature`: MISSING_SIGNATURE, MALFORMED_SIGNATURE, SIGNATURE_MISMATCH, TIMESTAMP_OUT_OF_RANGE, NO_SECRET. */
	reason?: string;
	/** With `field`: the order / cart field at fault. */
	field?: string;
}

export type WebhookRequestResult = { ok: true; request: CheckedWebhookRequest } | { ok: false; refusal: WebhookRefusal };

/** The JSON both hosts answer a refusal with: `{ error, message, reason?, field? }`. */
export function refusalBody(refusal: WebhookRefusal): Record<string, string> {
	return {
		error: refusal.error,
		message: refusal.message,
		...(refusal.reason ? { reason: refusal.reason } : {}),
		...(refusal.field ? { field: refusal.field } : {}),
	};
}

function refuse(status: WebhookRefusal['status'], error: WebhookRefusal['error'], message: string, extra: Partial<WebhookRefusal> = {}): WebhookRequestResult {
	return { ok: false, refusal: { status, error, message, ...extra } };
}

/** First value of a header; Node's http joins most repeated headers with ", " already. */
function single(value: HeaderValue): string | null {
	const v = Array.isArray(value) ? value[0] : value;
	return v === undefined || v === '' ? null : v;
}

/** application/json or application/<anything>+json, with no charset or utf-8. */
export function isJsonContentType(value: HeaderValue): boolean {
	const text = single(value);
	if (text === null) return false;
	const [type, ...params] = text.split(';').map((p) => p.trim().toLowerCase());
	if (type !== 'application/json' && !/^application\/[a-z0-9!#$&^_.-]+\+json$/.test(type)) return false;
	for (const param of params) {
		const [name, raw = ''] = param.split('=').map((p) => p.trim());
		const val = raw.replace(/^"|"$/g, '');
		if (name === 'charset' && val !== 'utf-8' && val !== 'utf8') return false;
	}
	return true;
}

function toleranceOf(value: number | undefined): number {
	return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : DEFAULT_TOLERANCE_SECONDS;
}

/** Order or cart, from the body's `kind`, the X-Coupon-Kit-Event header or the body's `topic`. */
function kindOf(body: Record<string, unknown>, eventHeader: string | null): 'order' | 'cart' | null {
	const said = [body.kind, eventHeader, body.topic].find((v) => typeof v === 'string' && v !== '');
	const word = typeof said === 'string' ? said.toLowerCase() : '';
	if (word.startsWith('order')) return 'order';
	if (word.startsWith('cart') || word.startsWith('checkout')) return 'cart';
	return null;
}

async function readBody(body: WebhookRequestInput['body'], limit: number): Promise<Buffer | null> {
	if (typeof body === 'function') return body(limit);
	const bytes = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
	return bytes.length > limit ? null : bytes;
}

export async function checkWebhookRequest(input: WebhookRequestInput, settings: WebhookRequestSettings): Promise<WebhookRequestResult> {
	const { headers } = input;
	if (!isJsonContentType(headers['content-type'])) {
		return refuse(415, 'content-type', 'send the body as JSON, with Content-Type: application/json');
	}
	const maxBytes = settings.maxBytes ?? MAX_WEBHOOK_BODY_BYTES;
	const rawBody = await readBody(input.body, maxBytes);
	if (rawBody === null) return refuse(413, 'body', `the body is larger than ${maxBytes} bytes`);

	let signedAt: number | null = null;
	if (!settings.acceptUnsigned) {
		const secrets = (Array.isArray(settings.secret) ? settings.secret : [settings.secret]).filter((s) => typeof s === 'string' && s !== '');
		if (secrets.length === 0) {
			return refuse(401, 'signature', 'this endpoint has no signing secret set, so it takes no deliveries', { reason: 'NO_SECRET' });
		}
		const verdict = verifySignature({
			secret: secrets,
			rawBody,
			header: headers[SIGNATURE_HEADER.toLowerCase()],
			nowSeconds: Math.floor(settings.now / 1000),
			toleranceSeconds: toleranceOf(settings.toleranceSeconds),
		});
		if (!verdict.ok) return refuse(401, 'signature', verdict.message, { reason: verdict.reason });
		signedAt = verdict.timestamp;
	}

	if (rawBody.length === 0) return refuse(400, 'body', 'the body is empty; send one JSON object');
	let body: unknown;
	try {
		body = JSON.parse(rawBody.toString('utf8')) as unknown;
	} catch {
		return refuse(400, 'body', 'the body is not valid JSON');
	}

	const event = single(headers[EVENT_HEADER.toLowerCase()]);
	const base = {
		body,
		rawBody,
		verified: !settings.acceptUnsigned,
		signedAt,
		replayKey: signedAt === null ? null : createHash('sha256').update(`${signedAt}.`).update(rawBody).digest('hex'),
		deliveryId: single(headers[DELIVERY_HEADER.toLowerCase()]),
		event,
	};
	if (settings.kind === 'any') return { ok: true, request: { ...base, kind: 'any' } };

	if (body === null || typeof body !== 'object' || Array.isArray(body)) {
		return refuse(422, 'body', 'the body must be one JSON object (an order or a cart)');
	}
	const kind = settings.kind === 'auto' ? kindOf(body as Record<string, unknown>, event) : settings.kind;
	if (kind === null) {
		return refuse(422, 'kind', 'cannot tell an order from a cart: send "kind": "order" or "kind": "cart" (or the X-Coupon-Kit-Event header)', {
			field: 'kind',
		});
	}
	const normalise = { fields: settings.fields, now: settings.now, defaultCurrency: settings.defaultCurrency };
	try {
		if (kind === 'order') return { ok: true, request: { ...base, kind, order: normaliseOrder(body, normalise) } };
		return { ok: true, request: { ...base, kind, cart: normaliseCart(body, normalise) } };
	} catch (error) {
		if (error instanceof InvalidArgumentError) return refuse(422, 'field', error.message, { field: error.field });
		throw error;
	}
}

/** Where claimed deliveries are remembered: the trigger state of the store (`Triggers` fits). */
export interface DeliveryLedger {
	claimDelivery(key: string, ttlMs: number): Promise<boolean>;
	releaseDelivery(key: string): Promise<void>;
}

export interface DeliveryClaim {
	/** The same signed delivery came before: answer it as received, do nothing again. */
	duplicate: boolean;
	/** Forgets the claim (when handling the delivery failed and the sender will retry it). */
	release(): Promise<void>;
}

const NOTHING_CLAIMED: DeliveryClaim = { duplicate: false, release: async () => undefined };

/**
 * Claims a verified delivery for as long as its signed time is inside the window; after that the
 * signature check refuses it anyway. `endpoint` keeps two endpoints that share a ledger apart.
 */
export async function claimDelivery(
	ledger: DeliveryLedger,
	request: CheckedWebhookRequest,
	options: { endpoint: string; toleranceSeconds?: number; now: number },
): Promise<DeliveryClaim> {
	if (request.replayKey === null || request.signedAt === null) return NOTHING_CLAIMED;
	const key = createHash('sha256').update(`${options.endpoint}\n${request.replayKey}`).digest('hex');
	const until = (request.signedAt + toleranceOf(options.toleranceSeconds) + 1) * 1000;
	const ttlMs = Math.max(1000, Math.ceil(until - options.now));
	if (!(await ledger.claimDelivery(key, ttlMs))) return { duplicate: true, release: async () => undefined };
	return { duplicate: false, release: () => ledger.releaseDelivery(key) };
}

/** Deliveries remembered in this process only: lost on restart. For a host that has no store. */
export function memoryDeliveries(clock: () => number = Date.now, max = 10_000): DeliveryLedger {
	const seen = new Map<string, number>();
	return {
		async claimDelivery(key, ttlMs) {
			const now = clock();
			const until = seen.get(key);
			if (until !== undefined && until > now) return false;
			seen.delete(key);
			seen.set(key, now + ttlMs);
			// Oldest claims first: drop expired ones, and the oldest beyond `max`.
			for (const [k, expires] of seen) {
				if (seen.size <= max && expires > now) break;
				seen.delete(k);
			}
			return true;
		},
		async releaseDelivery(key) {
			seen.delete(key);
		},
	};
}
