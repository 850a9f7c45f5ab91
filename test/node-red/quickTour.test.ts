import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import injectNode from '@node-red/nodes/core/common/20-inject.js';
import commentNode from '@node-red/nodes/core/common/90-comment.js';
import changeNode from '@node-red/nodes/core/function/15-change.js';
import switchNode from '@node-red/nodes/core/function/10-switch.js';
import couponNode from '../../nodes/node-red/coupon/coupon';
import { type FlowNode, type Msg, STORE_KINDS, type StoreKind, type TestNode, helper, modules, nextMessage } from './helpers/flow';

const TOUR = JSON.parse(readFileSync(join(__dirname, '../../flows/node-red/quick-tour.json'), 'utf8')) as FlowNode[];

// The shipped flow as it is, with its debug nodes swapped for helpers and its store pointed at a test store.
function tour(store: StoreKind): FlowNode[] {
	return TOUR.map((n) => {
		if (n.type === 'debug') return { ...n, type: 'helper' };
		if (n.type === 'coupon-kit-store') return { ...store.node(), id: n.id };
		return n;
	});
}

describe.each(STORE_KINDS.map((make) => [make().name, make] as const))('Quick tour flow on %s', (_name, make) => {
	let store: StoreKind;

	beforeEach(() => {
		store = make();
	});

	afterEach(async () => {
		await helper.unload();
		store.cleanup();
	});

	/** Clicks an inject node's button and resolves with what reaches the debug node. */
	async function click(inject: string, debug: string): Promise<Msg> {
		const shown = nextMessage(helper.getNode(debug) as TestNode);
		(helper.getNode(inject) as TestNode).receive({});
		return shown;
	}

	it('works through every step with no platform account', async () => {
		const created = new Promise<Msg>((resolve) => {
			// The set-up inject fires once, shortly after deploy: listen from the moment the nodes exist.
			const capture = (RED: { events: { once(e: string, f: () => void): void } }): void => {
				RED.events.once('flows:started', () => resolve(nextMessage(helper.getNode('ck-tour-debug-campaign') as TestNode)));
			};
			void helper.load(
				[modules.storeNode, couponNode, injectNode, commentNode, changeNode, switchNode, capture as (RED: never) => void],
				tour(store),
				{ [TOUR.find((n) => n.type === 'coupon-kit-store')!.id]: store.credentials() },
			);
		});
		expect((await created).payload).toMatchObject({ id: 'quick-tour', discount: { type: 'percent', value: 10 } });

		const issued = (await click('ck-tour-issue', 'ck-tour-debug-issue')).payload as { ok: boolean; code: string };
		expect(issued).toMatchObject({ ok: true, customerId: 'ana', email: 'ana@example.com', channel: 'quick-tour' });
		expect(issued.code).toMatch(/^TOUR-/);

		expect((await click('ck-tour-validate', 'ck-tour-debug-validate')).payload).toMatchObject({ valid: true, code: issued.code, discountAmount: 8 });
		expect((await click('ck-tour-redeem', 'ck-tour-debug-redeem')).payload).toMatchObject({ ok: true, orderId: 'order-1001' });
		expect((await click('ck-tour-redeem', 'ck-tour-debug-redeem')).payload).toMatchObject({ ok: false, reason: 'CODE_LIMIT_REACHED' });
		expect((await click('ck-tour-rollback', 'ck-tour-debug-rollback')).payload).toMatchObject({ ok: true, code: issued.code });
		expect((await click('ck-tour-typo', 'ck-tour-debug-typo')).payload).toMatchObject({ valid: false, reason: 'BAD_CHECK_CHARACTER' });
		const bulk = (await click('ck-tour-bulk', 'ck-tour-debug-bulk')).payload as { count: number; codes: string[] };
		expect(bulk.count).toBe(10);
		expect((await click('ck-tour-stats', 'ck-tour-debug-stats')).payload).toMatchObject({
			issued: 1,
			generated: 10,
			redeemed: 1,
			rolledBack: 1,
			// the second redeem (limit reached) and the typo, which only this campaign's codes could be
			rejected: 2,
		});
	});
});
