import couponNode from '../../nodes/node-red/coupon/coupon';
import { type FlowNode, type Msg, STORE_KINDS, type StoreKind, catchAll, helper, inTab, modules, outcome, type TestNode } from './helpers/flow';

// One coupon node that takes its operation from msg.operation runs every operation; a few nodes set
// their fields in the editor to cover that path too.
function flow(store: StoreKind, extra: FlowNode[] = []): FlowNode[] {
	return inTab([
		{ id: 'any', type: 'coupon', store: 'store', resource: 'code', operation: 'msg', args: [], wires: [['out']] },
		...extra,
		{ id: 'out', type: 'helper' },
		catchAll(['caught']),
		{ id: 'caught', type: 'helper' },
	], [store.node()]);
}

describe.each(STORE_KINDS.map((make) => [make().name, make] as const))('coupon node on %s', (_name, make) => {
	let store: StoreKind;
	let out: TestNode;
	let caught: TestNode;

	async function start(extra: FlowNode[] = []): Promise<void> {
		await helper.load([modules.storeNode, couponNode, modules.catchNode], flow(store, extra), { store: store.credentials() });
		out = helper.getNode('out') as TestNode;
		caught = helper.getNode('caught') as TestNode;
	}

	/** Sends one message into a node and resolves with what came out (or what the catch node saw). */
	async function call(nodeId: string, msg: Msg): Promise<{ msg?: Msg; error?: Msg }> {
		const result = outcome(out, caught);
		(helper.getNode(nodeId) as TestNode).receive(msg);
		return result;
	}

	async function op(operation: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
		const result = await call('any', { operation, payload });
		if (result.error) throw new Error(`${operation} failed: ${result.error.error?.message}`);
		return result.msg?.payload as Record<string, unknown>;
	}

	beforeEach(() => {
		store = make();
	});

	afterEach(async () => {
		await helper.unload();
		store.cleanup();
	});

	it('runs a campaign from creation to stats', async () => {
		await start();
		const campaign = await op('campaign.create', {
			campaignId: 'spring',
			name: 'Spring',
			discountType: 'percent',
			discountValue: 10,
			codePattern: 'SPRING-####-####',
			perCode: 1,
		});
		expect(campaign).toMatchObject({ id: 'spring', name: 'Spring', discount: { type: 'percent', value: 10 } });

		const issued = await op('code.issue', { campaignId: 'spring', customerId: 'c-1', channel: 'web' });
		expect(issued).toMatchObject({ ok: true, campaignId: 'spring', customerId: 'c-1' });
		const code = issued.code as string;
		expect(code).toMatch(/^SPRING-\w{4}-\w{4}$/);

		expect(await op('code.validate', { code, customerId: 'c-1', orderAmount: 50 })).toMatchObject({ valid: true, discountAmount: 5 });
		const redeemed = await op('code.redeem', { code, customerId: 'c-1', orderId: 'o-1', orderAmount: 50 });
		expect(redeemed).toMatchObject({ ok: true, code, orderId: 'o-1' });

		// A used code is data, not an error.
		expect(await op('code.redeem', { code, customerId: 'c-1', orderAmount: 50 })).toMatchObject({
			ok: false,
			reason: 'CODE_LIMIT_REACHED',
		});

		expect(await op('code.rollback', { redemptionId: redeemed.redemptionId, reason: 'refund' })).toMatchObject({ ok: true, code });
		expect(await op('code.get', { code })).toMatchObject({ found: true, code, state: 'active', redemptions: 0 });

		const stats = await op('analytics.stats', { campaignId: 'spring' });
		expect(stats).toMatchObject({ issued: 1, redeemed: 1, rolledBack: 1 });
	});
});
