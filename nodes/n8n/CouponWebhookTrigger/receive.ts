// What the Coupon Webhook Trigger does with one request: check it (core/hosts/webhookRequest), drop
// replays, record it, decide what fires.
import type { IDataObject, INode, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { IdempotencyConflictError, InvalidArgumentError } from '../../../core/errors';
import { checkWebhookRequest, claimDelivery } from '../../../core/hosts/webhookRequest';
import type { WebhookKind, WebhookRefusal } from '../../../core/hosts/webhookRequest';
import { DEFAULT_TOLERANCE_SECONDS } from '../../../core/platforms/webhook';
import type { NormalisedCart, NormalisedOrder, RecordOrderOptions, TrackCartOptions } from '../../../core/triggers';
import { checkCartOptions } from '../../../core/triggers/carts';
import { checkMilestoneOptions } from '../../../core/triggers/milestones';
import { checkThresholdOptions } from '../../../core/triggers/threshold';
import type { RedeemResult } from '../../../core/types';
import { getEngine } from '../shared/store';
import { getTriggers, triggerClock } from '../shared/triggers';

type EventName = 'purchaseOverThreshold' | 'nthPurchase' | 'orderWithCode' | 'cartActivity';

const ORDER_EVENTS: EventName[] = ['purchaseOverThreshold', 'nthPurchase', 'orderWithCode'];

/** A request answered right here with a 4xx; nothing is recorded and no execution starts. */
export class Refusal extends Error {
	constructor(readonly refusal: WebhookRefusal) {
		super(refusal.message);
	}
}

/** Parameter labels for settings errors (engine field → display name). */
export const SETTING_LABELS: Record<string, string> = {
	purchaseNumbers: 'Purchase Numbers',
	milestones: 'Purchase Numbers',
	'milestones.every': 'Also Every Nth Purchase',
	threshold: 'Threshold Amount',
	'threshold.amount': 'Threshold Amount',
	'threshold.currency': 'Threshold Currency',
	abandonAfterMinutes: 'Abandoned After (Minutes)',
	minValue: 'Minimum Cart Value',
	quietDays: 'Quiet Days',
};

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

function numberList(text: string): number[] {
	const out: number[] = [];
	for (const part of text.split(/[\s,]+/)) {
		if (part === '') continue;
		const n = Number(part);
		if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('purchaseNumbers', `"${part}" is not a whole number of at least 1`);
		out.push(n);
	}
	return out;
}

function orderJson(order: NormalisedOrder): IDataObject {
	return { ...order, at: iso(order.at), lineItems: (order.lineItems ?? []) as unknown as IDataObject[] };
}

function cartJson(cart: NormalisedCart): IDataObject {
	return { ...cart, at: iso(cart.at), items: (cart.items ?? []) as unknown as IDataObject[] };
}

export async function receive(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const options = this.getNodeParameter('options', {}) as IDataObject;
	const acceptUnsigned = this.getNodeParameter('acceptUnsigned', false) === true;
	const toleranceSeconds = typeof options.toleranceSeconds === 'number' ? options.toleranceSeconds : DEFAULT_TOLERANCE_SECONDS;
	const payloadKind = this.getNodeParameter('payloadKind', 'auto') as string;
	const events = this.getNodeParameter('events', []) as EventName[];
	const scope = typeof options.scope === 'string' && options.scope.trim() !== '' ? options.scope.trim() : 'default';
	const fields = parseFieldPaths(this.getNode(), options.fieldPaths);
	const secret = acceptUnsigned ? '' : (await this.getCredentials('couponKitWebhookApi')).secret;

	// n8n has read the body already (up to N8N_PAYLOAD_SIZE_MAX) and keeps the bytes as received.
	const request = this.getRequestObject() as { rawBody?: Buffer | string; body?: unknown };
	const rawBody = request.rawBody ?? (request.body && typeof request.body === 'object' ? JSON.stringify(request.body) : undefined);
	const now = triggerClock.now();
	const checked = await checkWebhookRequest(
		{ headers: this.getHeaderData() as Record<string, string | string[] | undefined>, body: rawBody },
		{
			secret: typeof secret === 'string' ? secret : '',
			acceptUnsigned,
			toleranceSeconds,
			now,
			kind: (['order', 'cart'].includes(payloadKind) ? payloadKind : 'auto') as WebhookKind,
			fields,
			defaultCurrency: typeof options.defaultCurrency === 'string' && options.defaultCurrency !== '' ? options.defaultCurrency : undefined,
		},
	);
	if (!checked.ok) throw new Refusal(checked.refusal);
	const delivery = checked.request;

	if (delivery.cart && !events.includes('cartActivity')) return ignored('cart events are not selected on this trigger');
	if (delivery.order && !ORDER_EVENTS.some((e) => events.includes(e))) return ignored('order events are not selected on this trigger');

	// Node settings are read before anything is claimed or written: a mistake there is the workflow's, not the sender's.
	let cartOptions: TrackCartOptions | null = null;
	if (delivery.cart) {
		cartOptions = {
			abandonAfterMinutes: this.getNodeParameter('abandonAfterMinutes', 60) as number,
			minValue: typeof options.minValue === 'number' ? options.minValue : 0,
			quietDays: typeof options.quietDays === 'number' ? options.quietDays : 0,
		};
		checkCartOptions(cartOptions);
	}
	const recordOptions = delivery.order ? orderOptions(this, events, options) : null;

	const triggers = await getTriggers(this, scope);
	const node = this.getNode();
	const claim = await claimDelivery(triggers, delivery, {
		endpoint: `n8n:${this.getWorkflow().id ?? ''}:${node.webhookId ?? node.id}`,
		toleranceSeconds,
		now,
	});
	if (claim.duplicate) return { webhookResponse: { received: true, duplicate: true, emitted: 0 } };

	const items: IDataObject[] = [];
	try {
		if (delivery.cart && cartOptions) {
			const cart = delivery.cart;
			const tracked = await triggers.trackCart(cart, cartOptions);
			const summary = { cartId: cart.cartId, state: tracked.state, abandonedAt: iso(tracked.deadline), stale: tracked.stale };
			if (tracked.stale || options.outputCartEvents !== true) {
				return { webhookResponse: { received: true, emitted: 0, cart: summary } };
			}
			items.push({ event: 'cartActivity', ...cartJson(cart), state: tracked.state, abandonedAt: summary.abandonedAt });
		} else if (delivery.order && recordOptions) {
			const order = delivery.order;
			// Codes first: redeeming is idempotent per order and code, so a retried delivery replays it.
			const redemptions: Array<{ code: string; result: RedeemResult | null }> = [];
			if (events.includes('orderWithCode') && order.codes?.length) {
				const engine = await getEngine(this);
				for (const code of order.codes) {
					try {
						const result = await engine.redeem({
							code,
							orderId: order.orderId,
							...(order.customerId ? { customerId: order.customerId } : {}),
							...(order.email ? { email: order.email } : {}),
							orderAmount: order.subtotal ?? order.total + (order.discounts ?? 0),
							currency: order.currency,
							...(typeof options.channel === 'string' && options.channel !== '' ? { channel: options.channel } : {}),
							idempotencyKey: `order:${order.orderId}:${code}`,
						});
						redemptions.push({ code, result });
					} catch (error) {
						// The same order came again with other amounts: its code was handled the first time.
						if (!(error instanceof IdempotencyConflictError)) throw error;
						redemptions.push({ code, result: null });
					}
				}
			}

			const outcome = await triggers.recordOrder(order, recordOptions);
			if (outcome.duplicate) return { webhookResponse: { received: true, duplicate: true, emitted: 0 } };

			const who = { orderId: order.orderId, customerId: order.customerId ?? null, email: order.email ?? null };
			if (outcome.thresholdMet && outcome.threshold) {
				items.push({ event: 'purchaseOverThreshold', ...who, threshold: { ...outcome.threshold }, order: orderJson(order) });
			}
			if (outcome.milestoneReached !== null) {
				items.push({
					event: 'nthPurchase',
					...who,
					purchaseNumber: outcome.milestoneReached,
					purchaseCount: outcome.purchaseCount,
					order: orderJson(order),
				});
			}
			for (const { code, result } of redemptions) {
				if (result) items.push({ event: 'orderWithCode', ...who, code, redemption: { ...result } as IDataObject });
			}
		}
	} catch (error) {
		// Not recorded: the sender gets an error and its retry of these very bytes must be taken.
		await claim.release().catch(() => undefined);
		throw error;
	}

	if (items.length === 0) return { webhookResponse: { received: true, emitted: 0 } };
	const workflowData: INodeExecutionData[][] = [this.helpers.returnJsonArray(items)];
	return { workflowData, webhookResponse: { received: true, emitted: items.length } };
}

function orderOptions(ctx: IWebhookFunctions, events: EventName[], options: IDataObject): RecordOrderOptions {
	const recordOptions: RecordOrderOptions = {};
	if (events.includes('purchaseOverThreshold')) {
		recordOptions.threshold = {
			amount: ctx.getNodeParameter('thresholdAmount', 100) as number,
			currency: ctx.getNodeParameter('thresholdCurrency', 'EUR') as string,
			beforeDiscounts: options.beforeDiscounts === true,
			excludeShipping: options.excludeShipping === true,
			excludeTax: options.excludeTax === true,
		};
	}
	if (events.includes('nthPurchase')) {
		const nth = numberList(ctx.getNodeParameter('purchaseNumbers', '') as string);
		const every = ctx.getNodeParameter('purchaseEvery', 0) as number;
		recordOptions.milestones = { ...(nth.length ? { nth } : {}), ...(every > 0 ? { every } : {}) };
	}
	if (recordOptions.threshold) checkThresholdOptions(recordOptions.threshold);
	if (recordOptions.milestones) checkMilestoneOptions(recordOptions.milestones);
	return recordOptions;
}

function ignored(why: string): IWebhookResponseData {
	return { webhookResponse: { received: true, emitted: 0, ignored: why } };
}

function parseFieldPaths(node: INode, value: unknown): Record<string, string> | undefined {
	if (value === undefined || value === null || value === '' || value === '{}') return undefined;
	let parsed: unknown = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch {
			throw new NodeOperationError(node, 'Field Paths: is not valid JSON', {
				description: 'Open the node\'s Options and give Field Paths as JSON, such as { "total": "amounts.gross" }.',
			});
		}
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) if (typeof v === 'string' && v !== '') out[k] = v;
	return out;
}
