// Every shipped example workflow (flows/n8n/*.json), executed for real: our nodes, the real engine and
// store, n8n-core's WorkflowExecute; only the outside world (mailer) is nock.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import nock from 'nock';
import type { ICredentialDataDecryptedObject, IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import { makeWorkflow, readWorkflow, runWorkflow } from './helpers/harness';
import type { WorkflowJson } from './helpers/harness';
import { pollTrigger } from './helpers/poll';
import { couponJson } from './helpers/run';
import { STORES } from './helpers/stores';
import { WebhookStandIn } from './helpers/standins';
import { deliver } from './helpers/webhook';
import { allTypes } from './helpers/workflows';
import { signatureHeaderValue, verifySignature } from '../../core/platforms/webhook';
import { releaseAllEngines } from '../../nodes/n8n/shared/store';
import { closeAllTriggers, triggerClock } from '../../nodes/n8n/shared/triggers';

const FLOWS = join(__dirname, '..', '..', 'flows', 'n8n');
const SIGNING = 'whsec_shop_to_n8n';

const nodeTypes = () => allTypes().add('n8n-nodes-base.webhook', new WebhookStandIn());
const realNow = triggerClock.now;

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
	nock.cleanAll();
	triggerClock.now = realNow;
});
afterAll(async () => {
	nock.enableNetConnect();
	// Jest gives each test file its own nock; the next file's must not meet this one's patches.
	nock.restore();
	await closeAllTriggers();
	await releaseAllEngines();
});

test('every example workflow has a test below', () => {
	expect(readdirSync(FLOWS).sort()).toEqual([
		'comeback-code-for-abandoned-carts.json',
		'issue-code-after-big-purchase.json',
		'validate-and-redeem-at-checkout.json',
	]);
});

function mailer(path: string) {
	const seen: Array<{ headers: Record<string, string>; body: string }> = [];
	nock('https://mailer.example.com')
		.post(path)
		.reply(async (request: Request) => {
			const headers: Record<string, string> = {};
			request.headers.forEach((v, k) => {
				headers[k] = v;
			});
			seen.push({ headers, body: await request.text() });
			return [202, JSON.stringify({ queued: true }), { 'Content-Type': 'application/json' }];
		});
	return seen;
}

function nodeNamed(flow: WorkflowJson, name: string): INode {
	const found = flow.nodes.find((n) => n.name === name);
	if (!found) throw new Error(`no node ${name}`);
	return found;
}

describe.each(STORES)('example workflows on the %s store', (_kind, makeStore) => {
	let credentials: Record<string, ICredentialDataDecryptedObject>;
	let store: ICredentialDataDecryptedObject;

	beforeEach(() => {
		store = makeStore();
		credentials = {
			couponKitStoreApi: store,
			couponKitWebhookApi: { secret: SIGNING },
		};
	});

	/** A webhook request into `startName`, then the execution n8n starts with what the node returned. */
	async function hit(flow: WorkflowJson, startName: string, body: IDataObject, creds = credentials) {
		const workflow = makeWorkflow(flow, nodeTypes());
		const rawBody = JSON.stringify(body);
		const headers = { 'content-type': 'application/json', 'x-coupon-kit-signature': signatureHeaderValue(SIGNING, Math.floor(Date.now() / 1000), rawBody) };
		const delivered = await deliver(workflow, nodeNamed(flow, startName), creds, { body, rawBody, headers });
		const input = delivered.result.workflowData?.[0];
		if (!input) return { delivered, run: null };
		const run = await runWorkflow(flow, { nodeTypes: nodeTypes(), credentials: creds, mode: 'webhook', startNode: startName, input, workflow });
		return { delivered, run };
	}

	test('issue and send a code after a big purchase', async () => {
		const flow = readWorkflow(join(FLOWS, 'issue-code-after-big-purchase.json'));
		await couponJson(store, { resource: 'campaign', operation: 'create', campaignId: 'thank-you', discountType: 'fixed', discountAmount: 10, discountCurrency: 'EUR', additionalFields: { lifetimeDays: 30 } });
		const seen = mailer('/hooks/coupon');
		const creds = { ...credentials, couponKitWebhookApi: { secret: SIGNING } };
		// The platform node and the trigger use different webhook credentials in real life; one map here.
		const small = await hit(flow, 'Order over 100 EUR', { kind: 'order', orderId: 'o-1', customerId: 'ann', email: 'ann@example.com', total: 40, currency: 'EUR' }, creds);
		expect(small.run).toBeNull();
		expect(seen).toHaveLength(0);

		const big = await hit(flow, 'Order over 100 EUR', { kind: 'order', orderId: 'o-2', customerId: 'ann', email: 'ann@example.com', total: 95, discounts: 10, currency: 'EUR' }, creds);
		expect(big.run?.run.data.resultData.error?.message).toBeUndefined();
		expect(big.run?.run.status).toBe('success');
		const [issued] = big.run?.json('Issue a thank-you code') ?? [];
		expect(issued).toMatchObject({ ok: true, campaignId: 'thank-you', customerId: 'ann', email: 'ann@example.com', channel: 'email' });
		expect(seen).toHaveLength(1);
		expect(JSON.parse(seen[0].body)).toEqual({
			to: 'ann@example.com',
			code: issued.code,
			expiresAt: issued.expiresAt,
			discount: { type: 'fixed', amount: 10, currency: 'EUR' },
			orderId: 'o-2',
		});
		expect(seen[0].headers).toMatchObject({ 'x-coupon-kit-event': 'coupon.issued', 'x-coupon-kit-delivery': 'thank-you-o-2' });
		expect(verifySignature({ secret: SIGNING, rawBody: seen[0].body, header: seen[0].headers['x-coupon-kit-signature'] }).ok).toBe(true);
		expect(big.run?.json('Send it to the mailer')[0]).toMatchObject({ ok: true, statusCode: 202, response: { queued: true } });
		const [stats] = await couponJson(store, { resource: 'analytics', operation: 'stats', filters: { campaignId: 'thank-you' } });
		expect(stats).toMatchObject({ issued: 1, delivered: 1 });
	});

	test('validate and redeem codes at checkout', async () => {
		const flow = readWorkflow(join(FLOWS, 'validate-and-redeem-at-checkout.json'));
		await couponJson(store, { resource: 'campaign', operation: 'create', campaignId: 'spring', discountType: 'percent', discountValue: 20, additionalFields: { minOrderAmount: 50 } });
		const [issued] = await couponJson(store, { resource: 'code', operation: 'issue', campaignId: 'spring', additionalFields: { customerId: 'ann' } });
		const code = String(issued.code);

		const tooSmall = await hit(flow, 'Shopper applies a code', { code, customerId: 'ann', cartTotal: 30, currency: 'EUR' });
		expect(tooSmall.run?.json('Validate the code')).toEqual([expect.objectContaining({ valid: false, reason: 'MIN_ORDER_NOT_MET' })]);
		const apply = await hit(flow, 'Shopper applies a code', { code: code.toLowerCase(), customerId: 'ann', cartTotal: 80, currency: 'EUR' });
		expect(apply.run?.json('Validate the code')).toEqual([expect.objectContaining({ valid: true, code, discountAmount: 16 })]);
		expect(apply.run?.executed).toEqual(['Shopper applies a code', 'Validate the code']);

		const paid = { orderId: 'o-9', code, customerId: 'ann', orderTotal: 80, currency: 'EUR' };
		const first = await hit(flow, 'Order is paid', paid);
		const [redemption] = first.run?.json('Redeem the code') ?? [];
		expect(redemption).toMatchObject({ ok: true, code, orderId: 'o-9', discountAmount: 16 });
		const retried = await hit(flow, 'Order is paid', paid);
		expect(retried.run?.json('Redeem the code')).toEqual([redemption]);
		const other = await hit(flow, 'Order is paid', { ...paid, orderId: 'o-10' });
		expect(other.run?.json('Redeem the code')).toEqual([expect.objectContaining({ ok: false, reason: 'CODE_LIMIT_REACHED' })]);
	});

	test('a comeback code for abandoned carts', async () => {
		const flow = readWorkflow(join(FLOWS, 'comeback-code-for-abandoned-carts.json'));
		await couponJson(store, { resource: 'campaign', operation: 'create', campaignId: 'comeback', discountType: 'percent', discountValue: 10 });
		let now = Date.now();
		triggerClock.now = () => now;
		const seen = mailer('/hooks/abandoned-cart');
		// The flow keeps its carts in scope "shop"; a per-test scope keeps runs apart on a shared Redis.
		const scoped = JSON.parse(JSON.stringify(flow).split('"scope":"shop"').join(`"scope":"shop-${Math.random().toString(36).slice(2)}"`)) as WorkflowJson;

		const cheap = await hit(scoped, 'Shop cart events', { kind: 'cart', cartId: 'c-1', customerId: 'bob', email: 'bob@example.com', value: 12, currency: 'EUR' });
		expect(cheap.run).toBeNull();
		const tracked = await hit(scoped, 'Shop cart events', { kind: 'cart', cartId: 'c-2', customerId: 'ann', email: 'ann@example.com', value: 64, currency: 'EUR', url: 'https://shop.example.com/cart/c-2' });
		expect(tracked.run).toBeNull();
		expect(tracked.delivered.result.webhookResponse).toMatchObject({ received: true, emitted: 0, cart: { cartId: 'c-2', state: 'open' } });

		const workflow = makeWorkflow(scoped, nodeTypes());
		const trigger = nodeNamed(scoped, 'Cart abandoned');
		now += 30 * 60_000;
		expect(await pollTrigger(workflow, trigger, credentials)).toBeNull();
		now += 31 * 60_000;
		const polled = (await pollTrigger(workflow, trigger, credentials)) as INodeExecutionData[][];
		expect(polled[0].map((i) => i.json.cartId)).toEqual(['c-2']);

		const run = await runWorkflow(scoped, { nodeTypes: nodeTypes(), credentials, mode: 'trigger', startNode: 'Cart abandoned', input: polled[0], workflow });
		expect(run.run.status).toBe('success');
		const [issued] = run.json('Issue a comeback code');
		expect(issued).toMatchObject({ ok: true, campaignId: 'comeback', customerId: 'ann' });
		expect(JSON.parse(seen[0].body)).toEqual({ to: 'ann@example.com', code: issued.code, cartUrl: 'https://shop.example.com/cart/c-2', cartValue: 64 });
		expect(seen[0].headers['x-coupon-kit-delivery']).toBe('cart-c-2');
		expect(await pollTrigger(workflow, trigger, credentials)).toBeNull();
	});
});
