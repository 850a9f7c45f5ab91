import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import type { Request, Response } from 'express';
import { IdempotencyConflictError, InvalidArgumentError } from '../../../core/errors';
import {
	type DeliveryLedger,
	type WebhookKind,
	type WebhookRefusal,
	WEBHOOK_KINDS,
	checkWebhookRequest,
	claimDelivery,
	memoryDeliveries,
	refusalBody,
} from '../../../core/hosts/webhookRequest';
import { createTriggers } from '../../../core/triggers';
import type { NormalisedOrder, OrderOutcome, RecordOrderOptions, Triggers } from '../../../core/triggers';
import type { RedeemResult } from '../../../core/types';
import { readRawBody } from '../lib/body';
import { clockOf } from '../lib/clock';
import { clip, errorStatus, errorText, findStore, missingStore } from '../lib/store';


interface WebhookNodeDef extends NodeDef {
	store?: string;
	url?: string;
	acceptUnsigned?: boolean;
	/** Before acceptUnsigned: `none` took unsigned requests. */
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

export default function (RED: NodeAPI): void {
	function CouponWebhook(this: Node<WebhookCredentials>, def: WebhookNodeDef): void {
		RED.nodes.createNode(this, def);
		setUp(this, def);
	}

	function setUp(node: Node<WebhookCredentials>, def: WebhookNodeDef): void {
		const clock = clockOf(RED);
		const store = findStore(RED, def.store);
		const kind: WebhookKind = WEBHOOK_KINDS.includes(def.event as WebhookKind) ? (def.event as WebhookKind) : 'auto';
		const acceptUnsigned = def.acceptUnsigned === true || def.verify === 'none';
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
		if (acceptUnsigned) node.warn(RED._('coupon-webhook.errors.unsigned', { url }));
		else if (!secret) {
			node.status({ fill: 'red', shape: 'ring', text: 'secret: set a signing secret' });
			node.warn(RED._('coupon-webhook.errors.noSecret'));
		} else if (!store) node.warn(RED._('coupon-webhook.errors.replayMemory'));

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
		// Without a store, replays are caught only while this Node-RED runs.
		const inMemory = memoryDeliveries(clock);
		const deliveries = async (): Promise<DeliveryLedger> => (store ? openTriggers() : inMemory);

		const refuse = (req: Request, res: Response, refusal: WebhookRefusal): void => {
			// A body not read (wrong type, too large) is drained, or dropped with the connection.
			if (refusal.status === 413) res.set('Connection', 'close');
			req.resume();
			res.status(refusal.status).json(refusalBody(refusal));
			node.status({ fill: 'red', shape: 'ring', text: clip(`${refusal.status}: ${refusal.message}`) });
			if (refusal.status === 401) node.warn(RED._('coupon-webhook.errors.refused', { message: refusal.message }));
		};

		const handler = (req: Request, res: Response): void => {
			void (async () => {
				const now = clock();
				const checked = await checkWebhookRequest(
					{ headers: req.headers, body: (limit: number) => readRawBody(req, limit) },
					{ secret, acceptUnsigned, toleranceSeconds: tolerance, now, kind, fields, defaultCurrency: def.currency?.trim() || undefined },
				);
				if (!checked.ok) {
					refuse(req, res, checked.refusal);
					return;
				}
				const delivery = checked.request;
				const topic: string = delivery.kind === 'any' ? (delivery.event ?? 'event') : delivery.kind;
				const outcome: WebhookOutcome = { verified: delivery.verified, deliveryId: delivery.deliveryId, event: delivery.event };

				const claim = await claimDelivery(await deliveries(), delivery, { endpoint: `node-red:${node.id}`, toleranceSeconds: tolerance, now });
				if (claim.duplicate) {
					res.status(200).json({ received: true, topic, duplicate: true });
					node.status({ fill: 'grey', shape: 'dot', text: `${topic}: already received` });
					return;
				}
				let payload: unknown = delivery.body;
				try {
					if (delivery.order) {
						const order = delivery.order;
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
					} else if (delivery.cart) {
						payload = delivery.cart;
					}
				} catch (err) {
					// Not recorded: the sender's retry of these very bytes must be taken.
					await claim.release().catch(() => undefined);
					throw err;
				}

				const msg: NodeMessage = {
					topic,
					payload,
					couponKit: outcome,
					rawBody: delivery.rawBody.toString('utf8'),
					req: { method: req.method, url: req.originalUrl, headers: req.headers, query: req.query, ip: req.ip },
				};
				if (respondInFlow) msg.res = { _res: res };
				else res.status(200).json({ received: true, topic, ...summary(outcome) });
				node.status({ fill: 'green', shape: 'dot', text: topic });
				node.send(msg);
			})().catch((err: unknown) => {
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
