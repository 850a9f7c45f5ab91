// Coupon Trigger: n8n's poller (PollContext in trigger mode) and Fetch Test Event (a manual execution).
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { makeWorkflow, runWorkflow } from './helpers/harness';
import { pollTrigger } from './helpers/poll';
import { couponJson } from './helpers/run';
import { STORES } from './helpers/stores';
import { deliver } from './helpers/webhook';
import { allTypes, chain, COUPON, node, STORE_REF, TRIGGER, WEBHOOK_TRIGGER } from './helpers/workflows';
import { releaseAllEngines } from '../../nodes/n8n/shared/store';
import { closeAllTriggers, triggerClock } from '../../nodes/n8n/shared/triggers';

const realNow = triggerClock.now;
let now = Date.parse('2027-03-01T08:00:00Z');

beforeEach(() => {
	now = Date.parse('2027-03-01T08:00:00Z');
	triggerClock.now = () => now;
});
afterAll(async () => {
	triggerClock.now = realNow;
	await closeAllTriggers();
	await releaseAllEngines();
});

const json = (out: Awaited<ReturnType<typeof pollTrigger>>) => (out ? out[0].map((i) => i.json) : null);

describe.each(STORES)('Coupon Trigger on the %s store', (_kind, makeStore) => {
	let store: ICredentialDataDecryptedObject;
	let scope: string;
	let credentials: Record<string, ICredentialDataDecryptedObject>;

	beforeEach(() => {
		store = makeStore();
		scope = `s${Math.random().toString(36).slice(2)}`;
		credentials = { couponKitStoreApi: store };
	});

	function triggerNode(parameters: INodeParameters, name = 'When due') {
		const trig = node(name, TRIGGER, parameters, { credentials: STORE_REF });
		const workflow = makeWorkflow({ nodes: [trig], connections: {} }, allTypes());
		return { trig, workflow, poll: () => pollTrigger(workflow, trig, credentials) };
	}

	async function armCart(cartId: string, at: number, value = 80) {
		const hook = node('Shop', WEBHOOK_TRIGGER, { events: ['cartActivity'], acceptUnsigned: true, abandonAfterMinutes: 30, options: { scope } }, { credentials: STORE_REF });
		const workflow = makeWorkflow({ nodes: [hook], connections: {} }, allTypes());
		await deliver(workflow, hook, credentials, {
			body: { kind: 'cart', cartId, customerId: 'ann', email: 'ann@example.com', value, currency: 'EUR', url: `https://shop/c/${cartId}`, at: new Date(at).toISOString() },
			headers: { 'Content-Type': 'application/json' },
		});
	}

	test('Cart Abandoned fires once, after the quiet time', async () => {
		const { poll } = triggerNode({ event: 'cartAbandoned', scope });
		await armCart('k1', now);
		now += 10 * 60_000;
		expect(await poll()).toBeNull();
		now += 21 * 60_000;
		expect(json(await poll())).toEqual([
			{
				event: 'cartAbandoned',
				cartId: 'k1',
				customerId: 'ann',
				email: 'ann@example.com',
				value: 80,
				currency: 'EUR',
				items: [],
				url: 'https://shop/c/k1',
				lastActivityAt: '2027-03-01T08:00:00.000Z',
				dueAt: '2027-03-01T08:30:00.000Z',
				firedAt: '2027-03-01T08:31:00.000Z',
				lateMs: 60_000,
			},
		]);
		expect(await poll()).toBeNull();
	});

	test('Fetch Test Event shows a sample and uses nothing up', async () => {
		const { trig } = triggerNode({ event: 'cartAbandoned', scope }, 'Manual');
		await armCart('k2', now);
		now += 31 * 60_000;
		const manual = await runWorkflow(chain(trig), { nodeTypes: allTypes(), credentials, mode: 'manual' });
		expect(manual.run.status).toBe('success');
		expect(manual.json('Manual')[0]).toMatchObject({ event: 'cartAbandoned', sample: true, nextDueAt: '2027-03-01T08:30:00.000Z' });
		const { poll } = triggerNode({ event: 'cartAbandoned', scope });
		expect(json(await poll())).toEqual([expect.objectContaining({ cartId: 'k2' })]);
	});

	test('an abandoned cart starts a workflow that issues a code (trigger mode)', async () => {
		await couponJson(store, { resource: 'campaign', operation: 'create', campaignId: 'comeback', discountType: 'percent', discountValue: 10 });
		const trig = node('Cart abandoned', TRIGGER, { event: 'cartAbandoned', scope }, { credentials: STORE_REF });
		const issue = node('Issue code', COUPON, {
			resource: 'code',
			operation: 'issue',
			campaignId: 'comeback',
			additionalFields: { customerId: '={{ $json.customerId }}', channel: 'email', idempotencyKey: '={{ "cart-" + $json.cartId }}' },
		}, { credentials: STORE_REF });
		const wf = chain(trig, issue);
		const workflow = makeWorkflow(wf, allTypes());
		await armCart('k3', now);
		now += 45 * 60_000;
		const polled = await pollTrigger(workflow, trig, credentials);
		expect(polled).not.toBeNull();
		const run = await runWorkflow(wf, { nodeTypes: allTypes(), credentials, mode: 'trigger', startNode: 'Cart abandoned', input: polled?.[0], workflow });
		expect(run.run.status).toBe('success');
		expect(run.json('Issue code')).toEqual([expect.objectContaining({ ok: true, campaignId: 'comeback', customerId: 'ann', channel: 'email' })]);
	});

	test('Calendar Event fires at the local time, once per date', async () => {
		const { poll, trig } = triggerNode({
			event: 'calendarEvent',
			rules: { yearly: [{ date: '03-01', name: 'Anniversary' }], holidays: [{ country: 'DE', names: 'Christmas Day' }] },
			time: '10:00',
			timeZone: 'Europe/Berlin',
			calendarData: '{"campaign": "anniversary"}',
		}, 'Anniversary');
		expect(await poll()).toBeNull();
		const manual = await runWorkflow(chain(trig), { nodeTypes: allTypes(), credentials, mode: 'manual' });
		expect(manual.json('Anniversary')[0]).toMatchObject({ sample: true, date: '2027-03-01', names: ['Anniversary'], dueAt: '2027-03-01T09:00:00.000Z' });
		now = Date.parse('2027-03-01T09:00:30Z');
		expect(json(await poll())).toEqual([
			{
				event: 'calendarEvent',
				calendar: 'Anniversary',
				date: '2027-03-01',
				names: ['Anniversary'],
				data: { campaign: 'anniversary' },
				dueAt: '2027-03-01T09:00:00.000Z',
				firedAt: '2027-03-01T09:00:30.000Z',
				lateMs: 30_000,
			},
		]);
		expect(await poll()).toBeNull();
		now = Date.parse('2027-12-25T09:00:00Z');
		expect(json(await poll())).toEqual([expect.objectContaining({ date: '2027-12-25', names: ['Christmas Day'] })]);
	});

	test('Customer Milestone: a birthday saved by the Coupon node fires in the customer’s zone', async () => {
		const [saved] = await couponJson(store, {
			resource: 'customer',
			operation: 'upsert',
			customerId: 'ann',
			additionalFields: { email: 'ann@example.com', birthday: '1990-03-02', timeZone: 'Europe/Berlin' },
			milestoneOptions: { scope, time: '10:00' },
		});
		expect(saved.milestones).toEqual({ scope, birthday: '2027-03-02T09:00:00.000Z', renewal: null });
		const { poll } = triggerNode({ event: 'customerMilestone', scope, milestones: ['birthday'] });
		expect(await poll()).toBeNull();
		now = Date.parse('2027-03-02T09:01:00Z');
		expect(json(await poll())).toEqual([
			expect.objectContaining({ event: 'customerMilestone', milestone: 'birthday', date: '2027-03-02', year: 2027, customerId: 'ann', timeZone: 'Europe/Berlin' }),
		]);
		expect(await poll()).toBeNull();
	});

	test('Coupon Lifecycle delivers each redemption once, in order', async () => {
		await couponJson(store, { resource: 'campaign', operation: 'create', campaignId: 'spring', discountType: 'percent', discountValue: 10 });
		const codes = await couponJson(store, { resource: 'code', operation: 'issue', campaignId: 'spring' }, [{}, {}, {}]);
		const { poll, trig } = triggerNode({ event: 'couponLifecycle', lifecycleTypes: ['redeemed'], lifecycleOptions: { startAt: 'beginning' } }, 'Redeemed');
		await couponJson(store, { resource: 'code', operation: 'redeem', code: String(codes[0].code), additionalFields: { orderAmount: 30 } });
		const first = json(await poll());
		expect(first).toEqual([expect.objectContaining({ event: 'couponLifecycle', type: 'redeemed', code: codes[0].code, campaignId: 'spring', amount: 30 })]);
		expect(await poll()).toBeNull();
		await couponJson(store, { resource: 'code', operation: 'redeem', code: String(codes[1].code) });
		await couponJson(store, { resource: 'code', operation: 'redeem', code: String(codes[2].code) });
		expect(json(await poll())?.map((e: IDataObject) => e.code)).toEqual([codes[1].code, codes[2].code]);

		const manual = await runWorkflow(chain(trig), { nodeTypes: allTypes(), credentials, mode: 'manual' });
		expect(manual.json('Redeemed')).toEqual([expect.objectContaining({ type: 'redeemed', code: codes[2].code })]);
		expect(await poll()).toBeNull();
	});

	test('a broken setting is an error naming the field', async () => {
		const { poll } = triggerNode({ event: 'calendarEvent', rules: {} });
		await expect(poll()).rejects.toThrow('Occasions: add at least one occasion');
	});
});
