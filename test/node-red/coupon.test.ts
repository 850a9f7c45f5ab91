import couponNode from '../../nodes/node-red/coupon/coupon';
import { OPERATION_FIELDS } from '../../nodes/node-red/coupon/fields';
import { COUPON_OPERATIONS, FIELD_LABELS } from '../../core/hosts/operations';
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
	nextStatus,
	outcome,
} from './helpers/flow';

// One coupon node that takes its operation from msg.operation runs every operation; other nodes set
// the operation and fields in the editor, as an operator would.
function flow(store: StoreKind, extra: FlowNode[]): FlowNode[] {
	return inTab(
		[
			{ id: 'any', type: 'coupon', store: 'store', resource: 'code', operation: 'msg', args: [], wires: [['out']] },
			...extra,
			{ id: 'out', type: 'helper' },
			catchAll(['caught']),
			{ id: 'caught', type: 'helper' },
		],
		[store.node()],
	);
}

const couponWith = (id: string, resource: string, operation: string, args: Array<{ name: string; type: string; value: string }>): FlowNode => ({
	id,
	type: 'coupon',
	store: 'store',
	resource,
	operation,
	args,
	wires: [['out']],
});

describe('coupon node form', () => {
	it('has a field list for every operation of the table, with a label for every field', () => {
		for (const [resource, operations] of Object.entries(COUPON_OPERATIONS)) {
			const fields = (OPERATION_FIELDS as Record<string, Record<string, Array<{ name: string }>>>)[resource];
			expect(Object.keys(fields).sort()).toEqual(Object.keys(operations).sort());
			for (const list of Object.values(fields)) {
				for (const field of list) expect(FIELD_LABELS[field.name]).toBeDefined();
			}
		}
	});
});

describe.each(STORE_KINDS.map((make) => [make().name, make] as const))('coupon node on %s', (_name, make) => {
	let store: StoreKind;
	let out: TestNode;
	let caught: TestNode;

	async function start(extra: FlowNode[] = []): Promise<void> {
		await helper.load([modules.storeNode, couponNode, modules.catchNode], flow(store, extra), { store: store.credentials() });
		out = helper.getNode('out') as TestNode;
		caught = helper.getNode('caught') as TestNode;
	}

	/** Sends one message into a node; resolves with what came out or with what the catch node saw. */
	function call(nodeId: string, msg: Msg): Promise<{ msg?: Msg; error?: Msg }> {
		const result = outcome(out, caught);
		(helper.getNode(nodeId) as TestNode).receive(msg);
		return result;
	}

	async function op(operation: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
		const result = await call('any', { operation, payload });
		if (result.error) throw new Error(`${operation} failed: ${result.error.error?.message}`);
		return result.msg?.payload as Record<string, unknown>;
	}

	async function spring(extra: Record<string, unknown> = {}): Promise<void> {
		await op('campaign.create', {
			campaignId: 'spring',
			name: 'Spring',
			discountType: 'percent',
			discountValue: 10,
			codePattern: 'SPRING-####-####',
			...extra,
		});
	}

	beforeEach(() => {
		store = make();
	});

	afterEach(async () => {
		await helper.unload();
		store.cleanup();
	});

	it('runs a code from issue to roll back, and reports it', async () => {
		await start();
		await spring();
		const issued = await op('code.issue', { campaignId: 'spring', customerId: 'c-1', channel: 'web' });
		expect(issued).toMatchObject({ ok: true, campaignId: 'spring', customerId: 'c-1', channel: 'web' });
		const code = issued.code as string;
		expect(code).toMatch(/^SPRING-\w{4}-\w{4}$/);

		expect(await op('code.validate', { code, customerId: 'c-1', orderAmount: '50' })).toMatchObject({
			valid: true,
			discountAmount: 5,
			remainingUses: 1,
		});
		const redeemed = await op('code.redeem', { code, customerId: 'c-1', orderId: 'o-1', orderAmount: 50 });
		expect(redeemed).toMatchObject({ ok: true, code, orderId: 'o-1', discountAmount: 5 });

		// A used-up code comes out as data with the reason, not as an error.
		expect(await op('code.redeem', { code, customerId: 'c-1', orderAmount: 50 })).toMatchObject({
			ok: false,
			reason: 'CODE_LIMIT_REACHED',
		});

		expect(await op('code.rollback', { redemptionId: redeemed.redemptionId, reason: 'refund' })).toMatchObject({ ok: true, code });
		expect(await op('code.get', { code })).toMatchObject({ found: true, code, state: 'active', redemptions: 0 });

		expect(await op('analytics.stats', { campaignId: 'spring' })).toMatchObject({ issued: 1, redeemed: 1, rolledBack: 1, rejected: 1 });
		const page = await op('analytics.events', { campaignId: 'spring', types: 'issued,redeemed,rolled_back' });
		expect((page.events as Array<{ type: string }>).map((e) => e.type)).toEqual(['issued', 'redeemed', 'rolled_back']);
		expect(typeof page.cursor).toBe('string');
	});

	it('reserves, commits and releases for a checkout', async () => {
		await start();
		await spring({ perCode: 2 });
		const { code } = await op('code.issue', { campaignId: 'spring' });
		const held = await op('code.reserve', { code, orderAmount: 20, ttlSeconds: 600 });
		expect(held).toMatchObject({ ok: true, code, discountAmount: 2 });
		expect(await op('code.commit', { reservationId: held.reservationId, orderId: 'o-7' })).toMatchObject({ ok: true, code });

		const second = await op('code.reserve', { code });
		expect(await op('code.release', { reservationId: second.reservationId })).toMatchObject({ ok: true });
		expect(await op('code.release', { reservationId: second.reservationId })).toMatchObject({ ok: false, reason: 'ALREADY_FINISHED' });
		expect(await op('code.get', { code })).toMatchObject({ redemptions: 1, reserved: 0, remainingUses: 1 });
	});

	it('voids a code and bulk generates unassigned codes', async () => {
		await start();
		await spring();
		const { code } = await op('code.issue', { campaignId: 'spring' });
		expect(await op('code.void', { code, reason: 'leaked' })).toMatchObject({ ok: true, code });
		expect(await op('code.validate', { code })).toMatchObject({ valid: false, reason: 'VOIDED' });
		expect(await op('code.get', { code: 'SPRING-AAAA-AAAA' })).toEqual({ found: false, code: 'SPRING-AAAA-AAAA' });

		const batch = await op('code.bulkGenerate', { campaignId: 'spring', count: 25, batchSize: 10 });
		expect(batch).toMatchObject({ campaignId: 'spring', count: 25 });
		const codes = batch.codes as string[];
		expect(new Set(codes).size).toBe(25);
		expect(await op('code.validate', { code: codes[0] })).toMatchObject({ valid: true });
	});

	it('creates from a JSON definition, updates, gets and lists campaigns', async () => {
		await start();
		const created = await op('campaign.create', {
			definition: JSON.stringify({ id: 'ship', discount: { type: 'freeShipping' }, limits: { total: 100 } }),
		});
		expect(created).toMatchObject({ id: 'ship', discount: { type: 'freeShipping' }, limits: { total: 100 }, active: true });
		expect(await op('campaign.update', { campaignId: 'ship', active: 'false', totalRedemptions: 50 })).toMatchObject({
			active: false,
			limits: { total: 50 },
		});
		expect(await op('campaign.get', { campaignId: 'ship' })).toMatchObject({ id: 'ship', active: false });
		await spring();
		const all = (await call('any', { operation: 'campaign.getMany', payload: {} })).msg?.payload as Array<{ id: string }>;
		expect(all.map((c) => c.id).sort()).toEqual(['ship', 'spring']);
		const active = (await call('any', { operation: 'campaign.getMany', payload: { activeOnly: true } })).msg?.payload as Array<{ id: string }>;
		expect(active.map((c) => c.id)).toEqual(['spring']);
	});

	it('upserts a customer whose segments the rules then read', async () => {
		await start();
		await spring({ segments: 'vip' });
		expect(await op('customer.upsert', { customerId: 'c-9', email: 'Ana+promo@Example.com', tags: 'vip, newsletter' })).toMatchObject({
			id: 'c-9',
			tags: ['vip', 'newsletter'],
		});
		const { code } = await op('code.issue', { campaignId: 'spring', customerId: 'c-9' });
		expect(await op('code.validate', { code, customerId: 'c-9' })).toMatchObject({ valid: true });
		expect(await op('code.validate', { code, customerId: 'c-10' })).toMatchObject({ valid: false });
	});

	it('takes fields from the editor (literal, msg, flow, JSONata) over msg.payload', async () => {
		await start([
			couponWith('issue', 'code', 'issue', [
				{ name: 'campaignId', type: 'str', value: 'spring' },
				{ name: 'customerId', type: 'msg', value: 'customer.id' },
				{ name: 'channel', type: 'flow', value: 'channel' },
				{ name: 'metadata', type: 'jsonata', value: '{"order": payload.order}' },
				{ name: 'email', type: 'str', value: '' },
			]),
		]);
		await spring();
		const issueNode = helper.getNode('issue') as TestNode & { context(): { flow: { set(k: string, v: unknown): void } } };
		issueNode.context().flow.set('channel', 'pos');
		const { msg } = await call('issue', {
			customer: { id: 'c-5' },
			payload: { campaignId: 'ignored', customerId: 'ignored', email: 'from-payload@example.com', order: 77 },
		});
		expect(msg?.payload).toMatchObject({ ok: true, campaignId: 'spring', customerId: 'c-5', channel: 'pos', email: 'from-payload@example.com' });
		expect(msg?.customer).toEqual({ id: 'c-5' });
		const info = await op('code.get', { code: (msg?.payload as { code: string }).code });
		expect(info.metadata).toEqual({ order: 77 });
	});

	it('sends a bad field to the catch node and names it in a red ring', async () => {
		await start([couponWith('issue', 'code', 'issue', [])]);
		const status = nextStatus(helper.getNode('issue') as TestNode, (s) => s.fill === 'red');
		const { msg, error } = await call('issue', { payload: { customerId: 'c-1' }, topic: 'keep me' });
		expect(msg).toBeUndefined();
		expect(error?.error?.message).toBe('InvalidArgumentError: campaignId: is required');
		expect(error?.error).toMatchObject({ code: 'INVALID_ARGUMENT' });
		expect(error?.error?.source?.id).toBe('issue');
		expect(error?.topic).toBe('keep me');
		expect(await status).toEqual({ fill: 'red', shape: 'ring', text: 'campaignId: is required' });
	});

	it('reports a wrong type, an unknown operation and an unknown campaign as errors', async () => {
		await start();
		await spring();
		expect((await call('any', { operation: 'code.issue', payload: { campaignId: 'spring', metadata: '{oops' } })).error?.error?.message).toMatch(
			/: metadata: is not valid JSON/,
		);
		expect((await call('any', { operation: 'code.explode', payload: {} })).error?.error?.message).toBe(
			'InvalidArgumentError: operation: "code.explode" is not a Coupon operation',
		);
		expect((await call('any', { payload: {} })).error?.error?.message).toMatch(/: operation: set msg.operation/);
		expect((await call('any', { operation: 'campaign.get', payload: { campaignId: 'nope' } })).error?.error?.message).toMatch(/nope/);
		expect((await call('any', { operation: 'code.issue', payload: { campaignId: 'nope' } })).error?.error?.message).toMatch(/nope/);
	});

	it('accepts a bare msg.operation with msg.resource', async () => {
		await start();
		await spring();
		const { msg } = await call('any', { resource: 'campaign', operation: 'get', payload: { campaignId: 'spring' } });
		expect(msg?.payload).toMatchObject({ id: 'spring' });
	});

	it('returns the first result for a retried idempotency key', async () => {
		await start();
		await spring();
		const first = await op('code.issue', { campaignId: 'spring', idempotencyKey: 'order-1' });
		const again = await op('code.issue', { campaignId: 'spring', idempotencyKey: 'order-1' });
		expect(again.code).toBe(first.code);
		expect(await op('analytics.stats', { campaignId: 'spring' })).toMatchObject({ issued: 1 });
	});
});

describe('coupon node without a store', () => {
	afterEach(() => helper.unload());

	it('stops the message with an error naming the store field', async () => {
		await helper.load(
			[couponNode, modules.catchNode],
			inTab([
				{ id: 'c', type: 'coupon', store: '', resource: 'code', operation: 'issue', args: [], wires: [['out']] },
				{ id: 'out', type: 'helper' },
				catchAll(['caught']),
				{ id: 'caught', type: 'helper' },
			]),
		);
		const result = outcome(helper.getNode('out') as TestNode, helper.getNode('caught') as TestNode);
		(helper.getNode('c') as TestNode).receive({ payload: { campaignId: 'x' } });
		expect((await result).error?.error?.message).toMatch(/^InvalidArgumentError: store: select a Coupon Kit store/);
	});
});
