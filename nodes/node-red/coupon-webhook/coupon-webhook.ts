import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import type { Request, Response } from 'express';
import { IdempotencyConflictError, InvalidArgumentError } from '../../../core/errors';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verifySignature } from '../../../core/platforms/webhook';
import { createTriggers, normaliseCart, normaliseOrder } from '../../../core/triggers';
import type { NormalisedOrder, OrderOutcome, RecordOrderOptions, Triggers } from '../../../core/triggers';
import type { RedeemResult } from '../../../core/types';
import { BodyTooLargeError, MAX_BODY_BYTES, readRawBody } from '../lib/body';
import { clockOf } from '../lib/clock';
import { errorStatus, errorText, findStore, missingStore } from '../lib/store';

export const WEBHOOK_EVENTS = ['auto', 'order', 'cart', 'any'] as const;
type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

interface WebhookNodeDef extends NodeDef {
	store?: string;
	url?: string;
	verify?: string;
	tolerance?: string | number;
	event?: string;
	currency?: string;
	fields?: string;
	channel?: string;
	thresholdAmount?: string | number;
	thresholdCurrency?: string;
	excludeShipping?: boolean;
	excludeTax?: boolean;
	beforeDiscounts?: boolean;
	purchaseNth?: string;
	purchaseEvery?: string | number;
	redeemCodes?: boolean;
	scope?: string;
	respond?: string;
}

interface WebhookCredentials {
	secret?: string;
}

/** What the node adds beside `msg.payload`: what was verified and recorded. */
export interface WebhookOutcome {
	verified: boolean;
	deliveryId: string | null;
	event: string | null;
	order?: OrderOutcome | null;
	redemptions?: RedeemResult[];
}

class HttpError extends Error {
	constructor(
		readonly statusCode: number,
		message: string,
		readonly body: Record<string, unknown>,
	) {
		super(message);
	}
}

function header(req: Request, name: string): string | undefined {
	const v = req.headers[name.toLowerCase()];
	return Array.isArray(v) ? v[0] : v;
}

export default function (RED: NodeAPI): void {
	function CouponWebhook(this: Node<WebhookCredentials>, def: WebhookNodeDef): void {
		RED.nodes.createNode(this, def);
		setUp(this, def);
	}

	function setUp(node: Node<WebhookCredentials>, def: WebhookNodeDef): void {
		const clock = clockOf(RED);
		const store = findStore(RED, def.store);
		const event: WebhookEvent = WEBHOOK_EVENTS.includes(def.event as WebhookEvent) ? (def.event as WebhookEvent) : 'auto';
		const verify = def.verify === 'none' ? 'none' : 'signature';
		const secret = node.credentials?.secret ?? '';
		const tolerance = Number(def.tolerance) > 0 ? Number(def.tolerance) : undefined;
		const respondInFlow = def.respond === 'flow';
		const scope = (def.scope ?? '').trim() || `node-red-${node.id}`;
		let url = (def.url ?? '').trim();
		if (url !== '' && !url.startsWith('/')) url = `/${url}`;

		let options: RecordOrderOptions;
		let fields: Record<string, string> | undefined;
		try {
			options = recordOptions(def);
			fields = fieldPaths(def.fields);
		} catch (err) {
			node.status(errorStatus(err));
			node.error(errorText(err));
			return;
		}
		if (!url) {
			node.status({ fill: 'red', shape: 'ring', text: 'url: is required' });
			return;
		}
		if (verify === 'signature' && !secret) {
			node.status({ fill: 'red', shape: 'ring', text: 'secret: set a signing secret or choose "no check"' });
			node.warn(RED._('coupon-webhook.errors.noSecret'));
		}

		let triggers: Promise<Triggers> | null = null;
		const openTriggers = (): Promise<Triggers> => {
			if (!store) return Promise.reject(missingStore());
			if (!triggers) {
				const p = (async () => createTriggers({ store: store.storeOptions(), scope, clock, engine: await store.engine() }))();
				triggers = p;
				p.catch(() => {
					if (triggers === p) triggers = null;
				});
			}
			return triggers;
		};

		const handler = (req: Request, res: Response): void => {
			void (async () => {
				const raw = await readRawBody(req, MAX_BODY_BYTES);
				if (verify === 'signature') {
					const check = verifySignature({
						secret,
						rawBody: raw,
						header: req.headers[SIGNATURE_HEADER.toLowerCase()],
						nowSeconds: Math.floor(clock() / 1000),
						toleranceSeconds: tolerance,
					});
					if (!check.ok) throw new HttpError(401, check.message, { error: 'signature', reason: check.reason, message: check.message });
				}
				let body: unknown;
				try {
					body = raw.length === 0 ? {} : (JSON.parse(raw.toString('utf8')) as unknown);
				} catch {
					throw new HttpError(400, 'the body is not JSON', { error: 'body', message: 'the body is not JSON' });
				}
				const outcome: WebhookOutcome = {
					verified: verify === 'signature',
					deliveryId: header(req, DELIVERY_HEADER) ?? null,
					event: header(req, EVENT_HEADER) ?? null,
				};
				const kind = event === 'auto' ? kindOf(body, outcome.event) : event;
				const normalise = { fields, now: clock(), defaultCurrency: def.currency?.trim() || undefined };
				let payload: unknown = body;
				const topic: string = kind === 'any' ? (outcome.event ?? 'event') : kind;
				try {
					if (kind === 'order') {
						const order = normaliseOrder(body, normalise);
						payload = order;
						if (store) {
							// Codes first: redeeming is idempotent per order and code, so a retried delivery
							// (after a failure further down) replays it instead of losing it.
							outcome.redemptions = def.redeemCodes ? await redeemCodes(order) : [];
							const t = await openTriggers();
							outcome.order = await t.recordOrder(order, options);
							if (outcome.order.duplicate) {
								res.status(200).json({ received: true, topic, duplicate: true });
								node.status({ fill: 'grey', shape: 'dot', text: `${topic} ${order.orderId}: already received` });
								return;
							}
						}
					} else if (kind === 'cart') {
						payload = normaliseCart(body, normalise);
					}
				} catch (err) {
					if (err instanceof InvalidArgumentError) {
						throw new HttpError(400, err.message, { error: 'field', field: err.field, message: err.message });
					}
					throw err;
				}

				const msg: NodeMessage = {
					topic,
					payload,
					couponKit: outcome,
					rawBody: raw.toString('utf8'),
					req: { method: req.method, url: req.originalUrl, headers: req.headers, query: req.query, ip: req.ip },
				};
				if (respondInFlow) msg.res = { _res: res };
				else res.status(200).json({ received: true, topic, ...summary(outcome) });
				node.status({ fill: 'green', shape: 'dot', text: topic });
				node.send(msg);
			})().catch((err: unknown) => {
				if (err instanceof HttpError) {
					res.status(err.statusCode).json(err.body);
					node.status({ fill: 'red', shape: 'ring', text: `${err.statusCode}: ${err.message}`.slice(0, 64) });
					if (err.statusCode === 401) node.warn(RED._('coupon-webhook.errors.refused', { message: err.message }));
					return;
				}
				if (err instanceof BodyTooLargeError) {
					res.status(413).json({ error: 'body', message: err.message });
					node.status({ fill: 'red', shape: 'ring', text: '413: body too large' });
					return;
				}
				res.status(500).json({ error: 'internal', message: 'the delivery could not be recorded; try again' });
				node.status(errorStatus(err));
				node.error(errorText(err));
			});
		};

		const redeemCodes = async (order: NormalisedOrder): Promise<RedeemResult[]> => {
			if (!store || !order.codes?.length) return [];
			const engine = await store.engine();
			const results: RedeemResult[] = [];
			const channel = def.channel?.trim() || undefined;
			for (const code of order.codes) {
				try {
					results.push(
						await engine.redeem({
							code,
							orderId: order.orderId,
							// The discount applies to the order before discounts.
							orderAmount: order.subtotal ?? order.total + (order.discounts ?? 0),
							currency: order.currency,
							customerId: order.customerId,
							email: order.email,
							channel,
							// The platform may deliver an order twice: the key makes the second a no-op.
							idempotencyKey: `order:${order.orderId}:${code}`,
						}),
					);
				} catch (err) {
					// The same order came again with other amounts: its code was handled the first time.
					if (!(err instanceof IdempotencyConflictError)) throw err;
				}
			}
			return results;
		};

		RED.httpNode.post(url, handler);
		node.status({ fill: 'grey', shape: 'ring', text: `POST ${url}` });

		node.on('close', (_removed: boolean, done: () => void) => {
			const router = (RED.httpNode as unknown as { _router?: { stack: Array<{ route?: { path: string; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> } }> } })._router;
			if (router) {
				router.stack = router.stack.filter((layer) => !(layer.route?.path === url && layer.route.methods.post && layer.route.stack.some((l) => l.handle === handler)));
			}
			const pending = triggers;
			triggers = null;
			Promise.resolve(pending)
				.then((t) => t?.close())
				.catch(() => undefined)
				.finally(() => {
					node.status({});
					done();
				});
		});
	}

	function recordOptions(def: WebhookNodeDef): RecordOrderOptions {
		const options: RecordOrderOptions = {};
		const amount = String(def.thresholdAmount ?? '').trim();
		if (amount !== '') {
			const n = Number(amount);
			if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('thresholdAmount', `must be an amount (got "${amount}")`);
			const currency = (def.thresholdCurrency ?? '').trim().toUpperCase();
			if (!/^[A-Z]{3}$/.test(currency)) throw new InvalidArgumentError('thresholdCurrency', 'must be an ISO currency code such as EUR');
			options.threshold = {
				amount: n,
				currency,
				excludeShipping: !!def.excludeShipping,
				excludeTax: !!def.excludeTax,
				beforeDiscounts: !!def.beforeDiscounts,
			};
		}
		const nth = (def.purchaseNth ?? '')
			.split(/[\s,]+/)
			.filter((s) => s !== '')
			.map((s) => {
				const n = Number(s);
				if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('purchaseNth', `must list whole numbers (got "${s}")`);
				return n;
			});
		const everyText = String(def.purchaseEvery ?? '').trim();
		const every = everyText === '' ? undefined : Number(everyText);
		if (every !== undefined && (!Number.isInteger(every) || every < 1)) throw new InvalidArgumentError('purchaseEvery', 'must be a whole number');
		if (nth.length || every !== undefined) options.milestones = { nth: nth.length ? nth : undefined, every };
		return options;
	}

	/** Order or cart, from the body's `kind`, the X-Coupon-Kit-Event header or the body's `topic`. */
	function kindOf(body: unknown, eventHeader: string | null): 'order' | 'cart' {
		const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
		const said = [b.kind, eventHeader, b.topic].find((v) => typeof v === 'string' && v !== '');
		const word = typeof said === 'string' ? said.toLowerCase() : '';
		if (word.startsWith('order')) return 'order';
		if (word.startsWith('cart') || word.startsWith('checkout')) return 'cart';
		throw new HttpError(400, 'cannot tell an order from a cart', {
			error: 'kind',
			message: 'send "kind": "order" or "kind": "cart" (or the X-Coupon-Kit-Event header), or set "Body is" on the node',
		});
	}

	function fieldPaths(text: string | undefined): Record<string, string> | undefined {
		if (!text || text.trim() === '' || text.trim() === '{}') return undefined;
		let parsed: unknown;
		try {
			parsed = JSON.parse(text);
		} catch {
			throw new InvalidArgumentError('fields', 'is not valid JSON (expected paths such as {"total": "amounts.gross"})');
		}
		if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidArgumentError('fields', 'must be a JSON object');
		const out: Record<string, string> = {};
		for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) if (typeof v === 'string' && v !== '') out[k] = v;
		return out;
	}

	function summary(outcome: WebhookOutcome): Record<string, unknown> {
		const out: Record<string, unknown> = {};
		if (outcome.order) {
			out.thresholdMet = outcome.order.thresholdMet;
			out.milestoneReached = outcome.order.milestoneReached;
		}
		if (outcome.redemptions?.length) out.redemptions = outcome.redemptions.map((r) => ({ code: r.code, ok: r.ok, reason: r.ok ? null : r.reason }));
		return out;
	}

	RED.nodes.registerType<Node<WebhookCredentials>, WebhookNodeDef, object, WebhookCredentials>('coupon webhook', CouponWebhook, {
		credentials: { secret: { type: 'password' } },
	});
}
