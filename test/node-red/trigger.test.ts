import couponNode from '../../nodes/node-red/coupon/coupon';
import triggerNode from '../../nodes/node-red/coupon-trigger/coupon-trigger';
import type { CouponKitStoreNode } from '../../nodes/node-red/lib/store';
import {
	type FlowNode,
	type Msg,
	STORE_KINDS,
	type StoreKind,
	type TestNode,
	catchAll,
	helper,
	inTab,
	modules,
	nextMessage,
	outcome,
} from './helpers/flow';

const MINUTE = 60_000;

describe.each(STORE_KINDS.map((make) => [make().name, make] as const))('coupon trigger on %s', (_name, make) => {
	let store: StoreKind;
	let now: number;

	async function start(trigger: Record<string, unknown>): Promise<{ trigger: TestNode; out: TestNode; caught: TestNode }> {
		const nodes: FlowNode[] = [
			{ id: 'trigger', type: 'coupon trigger', store: 'store', interval: '3600', ...trigger, wires: [['out']] },
			{ id: 'out', type: 'helper' },
			catchAll(['caught']),
			{ id: 'caught', type: 'helper' },
			{ id: 'completes', type: 'complete', scope: ['trigger'], uncaught: false, wires: [['completed']] },
			{ id: 'completed', type: 'helper' },
		];
		await helper.load([modules.storeNode, triggerNode, couponNode, modules.catchNode, modules.completeNode], inTab(nodes, [store.node()]), {
			store: store.credentials(),
		});
		return {
			trigger: helper.getNode('trigger') as TestNode,
			out: helper.getNode('out') as TestNode,
			caught: helper.getNode('caught') as TestNode,
		};
	}

	/** Sends a message into the trigger; resolves, once it is done, with the status the poll after it left. */
	async function feed(trigger: TestNode, msg: Msg): Promise<{ text?: string; fill?: string }> {
		const seen: Array<{ text?: string; fill?: string }> = [];
		const record = (call: { args: Array<{ text?: string; fill?: string }> }): void => void seen.push(call.args[0]);
		trigger.on('call:status', record);
		const completed = nextMessage(helper.getNode('completed') as TestNode);
		trigger.receive(msg);
		await completed;
		trigger.removeListener('call:status', record);
		return seen[seen.length - 1] ?? {};
	}

	beforeEach(() => {
		store = make();
		now = Date.parse('2026-12-20T10:00:00Z');
		helper.settings({ couponKit: { clock: () => now } });
	});

	afterEach(async () => {
		await helper.unload();
		helper.settings({});
		store.cleanup();
	});

	it('fires once for an abandoned cart and shows when it is due', async () => {
		const { trigger, out } = await start({ kind: 'cart', abandonAfterMinutes: '30' });
		const status = await feed(trigger, {
			payload: { cart_token: 'k-1', customer_id: 'c-1', email: 'ana@example.com', total_price: '120.00', currency: 'EUR' },
		});
		expect(status.text).toBe('coupon-trigger.status.next 2026-12-20 10:30 UTC');

		now += 31 * MINUTE;
		const fired = nextMessage(out);
		trigger.receive({ poll: true });
		const msg = await fired;
		expect(msg.topic).toBe('cart');
		expect(msg.payload).toMatchObject({ kind: 'cart', id: 'k-1', cart: { cartId: 'k-1', customerId: 'c-1', value: 120, currency: 'EUR' } });

		now += MINUTE;
		expect((await feed(trigger, { poll: true })).text).toBe('coupon-trigger.status.nothingDue');
	});

	it('does not fire for a cart that was bought', async () => {
		const { trigger } = await start({ kind: 'cart', abandonAfterMinutes: '30' });
		await feed(trigger, { payload: { cartId: 'k-2', value: 40 } });
		const after = await feed(trigger, { topic: 'order', payload: { orderId: 'o-2', total: 40, currency: 'EUR', cartId: 'k-2' } });
		expect(after.text).toBe('coupon-trigger.status.nothingDue');
	});

	it('fires on a calendar date at the given local time', async () => {
		const { trigger, out } = await start({
			kind: 'calendar',
			name: 'Christmas',
			calendar: '[{"type":"yearly","date":"12-24","name":"Christmas Eve"}]',
			time: '09:00',
			zone: 'Europe/Berlin',
		});
		expect((await feed(trigger, { poll: true })).text).toBe('coupon-trigger.status.next 2026-12-24 08:00 UTC');
		now = Date.parse('2026-12-24T08:00:30Z');
		const fired = nextMessage(out);
		trigger.receive({ poll: true });
		expect(await fired).toMatchObject({ topic: 'calendar', payload: { kind: 'calendar', date: '2026-12-24', names: ['Christmas Eve'], name: 'Christmas' } });
	});

	it('fires on a birthday in the customer zone and on the n-th purchase', async () => {
		const { trigger, out } = await start({ kind: 'milestone', time: '10:00', daysBefore: '1', purchaseNth: '2', renewal: false });
		const scheduled = await feed(trigger, { payload: { id: 'c-7', email: 'bo@example.com', birthday: '1990-12-25', timeZone: 'Asia/Tokyo' } });
		expect(scheduled.text).toBe('coupon-trigger.status.next 2026-12-24 01:00 UTC');
		now = Date.parse('2026-12-24T01:00:00Z');
		const fired = nextMessage(out);
		trigger.receive({ poll: true });
		expect(await fired).toMatchObject({ topic: 'birthday', payload: { kind: 'birthday', date: '2026-12-25', customer: { id: 'c-7' } } });

		await feed(trigger, { topic: 'order', payload: { orderId: 'o-1', customerId: 'c-7', total: 10, currency: 'JPY' } });
		const second = nextMessage(out);
		trigger.receive({ topic: 'order', payload: { orderId: 'o-2', customerId: 'c-7', total: 10, currency: 'JPY' } });
		expect(await second).toMatchObject({ topic: 'purchase', payload: { milestone: 2, purchaseCount: 2 } });
	});

	it('delivers coupon lifecycle events from the ledger once, in order', async () => {
		const { trigger, out } = await start({ kind: 'lifecycle', types: 'issued,redeemed', startAt: 'beginning' });
		const engine = await (helper.getNode('store') as unknown as CouponKitStoreNode).engine();
		await engine.createCampaign({ id: 'life', discount: { type: 'percent', value: 5 } });
		const issued = await engine.issue({ campaignId: 'life', customerId: 'c-1' });
		if (!issued.ok) throw new Error(issued.reason);
		await engine.redeem({ code: issued.code, customerId: 'c-1', orderAmount: 10 });

		const received: Msg[] = [];
		const both = new Promise<void>((resolve) => {
			const listener = (msg: Msg): void => {
				received.push(msg);
				if (received.length === 2) {
					out.removeListener('input', listener);
					resolve();
				}
			};
			out.on('input', listener);
		});
		// The poll's own completion can come after its messages: wait for it, so the next feed() does not
		// mistake it for its own.
		const pollDone = nextMessage(helper.getNode('completed') as TestNode);
		trigger.receive({ poll: true });
		await both;
		await pollDone;
		expect(received.map((m) => [m.topic, (m.payload as { code: string }).code])).toEqual([
			['issued', issued.code],
			['redeemed', issued.code],
		]);
		expect((await feed(trigger, { poll: true })).text).toBe('coupon-trigger.status.watching');
	});

	it('names the bad field of a message and of the settings', async () => {
		const { trigger, out, caught } = await start({ kind: 'cart', abandonAfterMinutes: '30' });
		const result = outcome(out, caught);
		trigger.receive({ payload: { value: 10 } });
		expect((await result).error?.error?.message).toMatch(/cart id/);
		await helper.unload();

		await start({ kind: 'calendar', calendar: '[{"type":' });
		expect(JSON.stringify(helper.log().args)).toContain('calendar: is not valid JSON');
	});

	it('stops polling on close', async () => {
		const clear = jest.spyOn(global, 'clearInterval');
		await start({ kind: 'cart' });
		await helper.unload();
		expect(clear).toHaveBeenCalled();
		clear.mockRestore();
	});
});
