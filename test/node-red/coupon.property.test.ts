// Property: junk in any field of any operation of the `coupon` node fails the message with done(err)
// naming the field and a red ring naming it, and writes nothing to the ledger. Real engine, real
// SQLite file; 100 runs.
import fc from 'fast-check';
import type { CouponEngine } from '../../core/api';
import couponNode from '../../nodes/node-red/coupon/coupon';
import { OPERATION_FIELDS, type EditorField } from '../../nodes/node-red/coupon/fields';
import type { CouponKitStoreNode } from '../../nodes/node-red/lib/store';
import { baseline } from '../hosts/baselines';
import { type FieldKind, junkFor, shown } from '../hosts/junk';
import { type StoreKind, type TestNode, catchAll, helper, inTab, modules, nextStatus, outcome, sqliteStore } from './helpers/flow';

interface Case {
	resource: string;
	operation: string;
	field: EditorField;
}

const CASES: Case[] = Object.entries(OPERATION_FIELDS).flatMap(([resource, operations]) =>
	Object.entries(operations as Record<string, EditorField[]>).flatMap(([operation, fields]) => fields.map((field) => ({ resource, operation, field }))),
);

function kindOf(field: EditorField): FieldKind {
	if (field.name === 'windows') return 'jsonList';
	return field.kind;
}

describe('coupon node: junk in any field', () => {
	let store: StoreKind;
	let engine: CouponEngine;

	beforeAll(async () => {
		store = sqliteStore();
		await helper.load(
			[modules.storeNode, couponNode, modules.catchNode],
			inTab(
				[
					{ id: 'any', type: 'coupon', store: 'store', resource: 'code', operation: 'msg', args: [], wires: [['out']] },
					{ id: 'out', type: 'helper' },
					catchAll(['caught']),
					{ id: 'caught', type: 'helper' },
				],
				[store.node()],
			),
			{ store: store.credentials() },
		);
		engine = await (helper.getNode('store') as unknown as CouponKitStoreNode).engine();
		await engine.createCampaign({ id: 'spring', discount: { type: 'percent', value: 10 } });
		const issued = await engine.issue({ campaignId: 'spring', customerId: 'ann' });
		if (!issued.ok) throw new Error(issued.reason);
	});

	afterAll(async () => {
		await helper.unload();
		store.cleanup();
	});

	it('covers every operation of the node', () => {
		expect(new Set(CASES.map((c) => `${c.resource}.${c.operation}`)).size).toBe(17);
	});

	it('fails the message naming the field, with a red ring, and writes nothing', async () => {
		const node = helper.getNode('any') as TestNode;
		const out = helper.getNode('out') as TestNode;
		const caught = helper.getNode('caught') as TestNode;
		const ledger = async () => (await engine.events({ limit: 1000 })).events.map((e) => e.id);

		const junkCase = fc.constantFrom(...CASES).chain((c) => junkFor({ kind: kindOf(c.field), required: c.field.required, choices: c.field.choices }).map((junk) => ({ ...c, junk })));
		await fc.assert(
			fc.asyncProperty(junkCase, async ({ resource, operation, field, junk }) => {
				const before = await ledger();
				const payload = { ...baseline(resource, operation, field.name), [field.name]: junk };
				const ring = nextStatus(node, (s) => s.fill === 'red');
				const result = outcome(out, caught);
				node.receive({ operation: `${resource}.${operation}`, payload });
				const { msg, error } = await result;
				const what = `${resource}.${operation} ${field.name} = ${shown(junk)}`;
				expect({ what, sentOn: msg?.payload }).toEqual({ what, sentOn: undefined });
				expect({ what, message: error?.error?.message }).toEqual({ what, message: expect.stringContaining(field.name) });
				expect({ what, status: await ring }).toEqual({ what, status: { fill: 'red', shape: 'ring', text: expect.stringContaining(field.name) } });
				expect({ what, ledger: await ledger() }).toEqual({ what, ledger: before });
			}),
			{ numRuns: 100 },
		);
	});
});
