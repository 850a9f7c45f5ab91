// What the Coupon Webhook Trigger does with one request: verify, normalise, record, decide what fires.
import type { IDataObject, INode, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { IdempotencyConflictError, InvalidArgumentError } from '../../../core/errors';
import { DEFAULT_TOLERANCE_SECONDS, SIGNATURE_HEADER, verifySignature } from '../../../core/platforms/webhook';
import { normaliseCart, normaliseOrder } from '../../../core/triggers';
import type { NormalisedCart, NormalisedOrder, RecordOrderOptions } from '../../../core/triggers';
import type { RedeemResult } from '../../../core/types';
import { getEngine } from '../shared/store';
import { getTriggers, triggerClock } from '../shared/triggers';

type EventName = 'purchaseOverThreshold' | 'nthPurchase' | 'orderWithCode' | 'cartActivity';

const ORDER_EVENTS: EventName[] = ['purchaseOverThreshold', 'nthPurchase', 'orderWithCode'];

/** A refusal answered right here; nothing is recorded and no execution starts. */
export class Refusal extends Error {
	constructor(
		readonly status: number,
		message: string,
		readonly reason?: string,
	) {
		super(message);
	}
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

function kindOf(body: IDataObject, headers: IDataObject, setting: string): 'order' | 'cart' {
	if (setting === 'order' || setting === 'cart') return setting;
	const said = [body.kind, headers['x-coupon-kit-event'], body.topic].find((v) => typeof v === 'string' && v !== '');
	const word = typeof said === 'string' ? said.toLowerCase() : '';
	if (word.startsWith('order')) return 'order';
	if (word.startsWith('cart') || word.startsWith('checkout')) return 'cart';
	throw new Refusal(
		400,
		'Cannot tell whether this is an order or a cart: send "kind": "order" or "kind": "cart" (or the X-Coupon-Kit-Event header), or set "Payload Is" on the node',
	);
}

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
	const headers = this.getHeaderData() as IDataObject;
	const body = this.getBodyData();
	const options = this.getNodeParameter('options', {}) as IDataObject;

	if (this.getNodeParameter('verifySignature', true) as boolean) {
		const { secret } = await this.getCredentials('couponKitWebhookApi');
		if (typeof secret === 'string' && secret !== '') {
			const request = this.getRequestObject() as { rawBody?: Buffer | string };
			// n8n keeps the bytes as received in rawBody; re-serialising would break every signature.
			const rawBody = request.rawBody ?? JSON.stringify(body);
			const header = headers[SIGNATURE_HEADER.toLowerCase()] as string | string[] | undefined;
			const verdict = verifySignature({
				secret,
				rawBody,
				header,
				nowSeconds: Math.floor(triggerClock.now() / 1000),
				toleranceSeconds: typeof options.toleranceSeconds === 'number' ? options.toleranceSeconds : DEFAULT_TOLERANCE_SECONDS,
			});
			if (!verdict.ok) throw new Refusal(401, verdict.message, verdict.reason);
		}
	}

	if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Refusal(400, 'The body must be one JSON object');
	const events = this.getNodeParameter('events', []) as EventName[];
	const kind = kindOf(body, headers, this.getNodeParameter('payloadKind', 'auto') as string);
	const fields = parseFieldPaths(this.getNode(), options.fieldPaths);
	const normalise = {
		fields,
		now: triggerClock.now(),
		defaultCurrency: typeof options.defaultCurrency === 'string' && options.defaultCurrency !== '' ? options.defaultCurrency : undefined,
	};
	const scope = typeof options.scope === 'string' && options.scope.trim() !== '' ? options.scope.trim() : 'default';
	const items: IDataObject[] = [];

	if (kind === 'cart') {
		if (!events.includes('cartActivity')) return ignored('cart events are not selected on this trigger');
		const cart = normaliseCart(body, normalise);
		const triggers = await getTriggers(this, scope);
		const tracked = await triggers.trackCart(cart, {
			abandonAfterMinutes: this.getNodeParameter('abandonAfterMinutes', 60) as number,
			minValue: typeof options.minValue === 'number' ? options.minValue : 0,
			quietDays: typeof options.quietDays === 'number' ? options.quietDays : 0,
		});
		const summary = { cartId: cart.cartId, state: tracked.state, abandonedAt: iso(tracked.deadline), stale: tracked.stale };
		if (tracked.stale || options.outputCartEvents !== true) {
			return { webhookResponse: { received: true, emitted: 0, cart: summary } };
		}
		items.push({ event: 'cartActivity', ...cartJson(cart), state: tracked.state, abandonedAt: summary.abandonedAt });
	} else {
		if (!ORDER_EVENTS.some((e) => events.includes(e))) return ignored('order events are not selected on this trigger');
		const order = normaliseOrder(body, normalise);
		const recordOptions: RecordOrderOptions = {};
		if (events.includes('purchaseOverThreshold')) {
			recordOptions.threshold = {
				amount: this.getNodeParameter('thresholdAmount', 100) as number,
				currency: this.getNodeParameter('thresholdCurrency', 'EUR') as string,
				beforeDiscounts: options.beforeDiscounts === true,
				excludeShipping: options.excludeShipping === true,
				excludeTax: options.excludeTax === true,
			};
		}
		if (events.includes('nthPurchase')) {
			const nth = numberList(this.getNodeParameter('purchaseNumbers', '') as string);
			const every = this.getNodeParameter('purchaseEvery', 0) as number;
			recordOptions.milestones = { ...(nth.length ? { nth } : {}), ...(every > 0 ? { every } : {}) };
		}

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

		const triggers = await getTriggers(this, scope);
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

	if (items.length === 0) return { webhookResponse: { received: true, emitted: 0 } };
	const workflowData: INodeExecutionData[][] = [this.helpers.returnJsonArray(items)];
	return { workflowData, webhookResponse: { received: true, emitted: items.length } };
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
