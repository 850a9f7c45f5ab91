// Property: junk in any parameter of any operation of the Coupon node (given by an expression, as a
// mapped field would) stops the item with a NodeOperationError naming the parameter's display name, and
// writes nothing to the ledger. Real executions (n8n-core WorkflowExecute), real engine, real SQLite file.
import fc from 'fast-check';
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters, INodeProperties } from 'n8n-workflow';

import { couponJson, runCoupon } from './helpers/run';
import { sqliteCredentials } from './helpers/stores';
import { acquireEngine, releaseEngine } from '../../core/hosts/engineCache';
import { Coupon } from '../../nodes/n8n/Coupon/Coupon.node';
import { OPERATION_FIELDS, type EditorField } from '../../nodes/node-red/coupon/fields';
import { credentialToStoreOptions, releaseAllEngines } from '../../nodes/n8n/shared/store';
import { closeAllTriggers } from '../../nodes/n8n/shared/triggers';
import { baseline } from '../hosts/baselines';
import { type FieldKind, junkFor, shown } from '../hosts/junk';

/** One parameter of one operation: top level, or an option of a collection. */
interface Case {
	resource: string;
	operation: string;
	name: string;
	collection: string | null;
	displayName: string;
	kind: FieldKind;
	required: boolean;
	choices?: string[];
}

const properties = new Coupon().nodeVersions[1].description.properties;

function shownFor(p: INodeProperties, resource: string, operation: string): boolean {
	const show = p.displayOptions?.show;
	return !!show && (show.resource as string[] | undefined)?.includes(resource) === true && (show.operation as string[] | undefined)?.includes(operation) === true;
}

/** Field kinds the operation table reads (Node-RED's form names them); else the n8n type says. */
function kindOf(resource: string, operation: string, p: INodeProperties): { kind: FieldKind; choices?: string[] } {
	if (p.name === 'windows') return { kind: 'jsonList' };
	const field = ((OPERATION_FIELDS as Record<string, Record<string, EditorField[]>>)[resource]?.[operation] ?? []).find((f) => f.name === p.name);
	const values = (p.options as Array<{ value?: unknown }> | undefined)?.map((o) => String(o.value));
	if (field) return { kind: field.kind, choices: field.kind === 'choice' ? values : undefined };
	switch (p.type) {
		case 'number':
			return { kind: 'number' };
		case 'boolean':
			return { kind: 'boolean' };
		case 'json':
			return { kind: 'json' };
		case 'options':
			return { kind: 'choice', choices: values };
		case 'multiOptions':
			return { kind: 'list' };
		default:
			return { kind: 'text' };
	}
}

const CASES: Case[] = [];
for (const resource of ['code', 'campaign', 'customer', 'analytics']) {
	const operationProperty = properties.find((p) => p.name === 'operation' && shownFor({ ...p, displayOptions: { show: { ...p.displayOptions?.show, operation: ['*'] } } }, resource, '*'));
	for (const { value } of (operationProperty?.options ?? []) as Array<{ value: string }>) {
		for (const p of properties.filter((q) => shownFor(q, resource, value) && q.type !== 'notice')) {
			if (p.type === 'collection') {
				for (const option of p.options as INodeProperties[]) {
					CASES.push({ resource, operation: value, name: option.name, collection: p.name, displayName: option.displayName, required: false, ...kindOf(resource, value, option) });
				}
			} else {
				CASES.push({ resource, operation: value, name: p.name, collection: null, displayName: p.displayName, required: p.required === true, ...kindOf(resource, value, p) });
			}
		}
	}
}

/** Valid parameters for the operation, shaped as the node's parameters, with `junk` in the case's place. */
function parametersFor(c: Case, expression: string): INodeParameters {
	const parameters: INodeParameters = { resource: c.resource, operation: c.operation };
	const collectionOf = (name: string): string | null =>
		CASES.find((o) => o.resource === c.resource && o.operation === c.operation && o.name === name)?.collection ?? null;
	const put = (name: string, collection: string | null, value: unknown) => {
		if (collection === null) parameters[name] = value as INodeParameters[string];
		else parameters[collection] = { ...((parameters[collection] as INodeParameters | undefined) ?? {}), [name]: value as INodeParameters[string] };
	};
	for (const [name, value] of Object.entries(baseline(c.resource, c.operation, c.name))) put(name, collectionOf(name), value);
	// What makes the parameter show at all.
	if (c.name === 'definition') parameters.defineWith = 'json';
	if (c.name === 'binaryPropertyName' || c.name === 'fileName') parameters.output = 'file';
	put(c.name, c.collection, expression);
	return parameters;
}

let store: ICredentialDataDecryptedObject;

beforeAll(async () => {
	store = sqliteCredentials();
	await couponJson(store, { resource: 'campaign', operation: 'create', campaignId: 'spring', discountType: 'percent', discountValue: 10 });
	await couponJson(store, { resource: 'code', operation: 'issue', campaignId: 'spring', additionalFields: { customerId: 'ann' } });
});

afterAll(async () => {
	await closeAllTriggers();
	await releaseAllEngines();
});

async function ledger(): Promise<string[]> {
	const options = credentialToStoreOptions(store);
	const engine = await acquireEngine(options);
	try {
		return (await engine.events({ limit: 1000 })).events.map((e) => e.id);
	} finally {
		await releaseEngine(options);
	}
}

test('covers every operation and every parameter of the node', () => {
	expect(new Set(CASES.map((c) => `${c.resource}.${c.operation}`)).size).toBe(17);
	// Host fields the operation table reads are all there, under the display names n8n shows.
	for (const [resource, operations] of Object.entries(OPERATION_FIELDS as Record<string, Record<string, EditorField[]>>)) {
		for (const [operation, fields] of Object.entries(operations)) {
			const names = CASES.filter((c) => c.resource === resource && c.operation === operation).map((c) => c.name);
			const missing = fields.map((f) => f.name).filter((n) => !names.includes(n));
			// Campaign › Update has no code-format fields, and both hosts read `patch` (JSON) only from Node-RED.
			expect({ op: `${resource}.${operation}`, missing: missing.filter((n) => n !== 'patch') }).toEqual({ op: `${resource}.${operation}`, missing: [] });
		}
	}
});

test('junk in any parameter stops the item naming the parameter, and writes nothing', async () => {
	const junkCase = fc.record({
		c: fc.constantFrom(...CASES),
		// A plain `$json` path (read straight from the item) or one the expression engine evaluates.
		expression: fc.constantFrom('={{ $json.junk }}', '={{ $json["junk"] }}'),
	}).chain(({ c, expression }) => junkFor(c).map((junk) => ({ c, expression, junk })));

	await fc.assert(
		fc.asyncProperty(junkCase, async ({ c, expression, junk }) => {
			const before = await ledger();
			const run = await runCoupon(store, parametersFor(c, expression), [{ junk } as IDataObject]);
			const what = `${c.resource}.${c.operation} ${c.displayName} = ${shown(junk)} (${expression})`;
			expect({ what, output: run.json }).toEqual({ what, output: [] });
			// The run data holds the error as n8n serialises it: a NodeOperationError by name.
			expect({ what, error: run.error?.name }).toEqual({ what, error: 'NodeOperationError' });
			const words = `${run.error?.message ?? ''} ${run.error?.description ?? ''}`;
			expect({ what, words }).toEqual({ what, words: expect.stringContaining(c.displayName) });
			expect({ what, ledger: await ledger() }).toEqual({ what, ledger: before });
		}),
		{ numRuns: 100 },
	);
});
