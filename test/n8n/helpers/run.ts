// Runs one Coupon node (or a chain) in a real n8n execution and returns what came out.
import type { ICredentialDataDecryptedObject, IDataObject, INode, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { runWorkflow } from './harness';
import type { RunResult } from './harness';
import { chain, couponNode, couponTypes } from './workflows';

export interface NodeRun {
	result: RunResult;
	items: INodeExecutionData[];
	json: IDataObject[];
	/** The error the node ended with (the execution failed), if any. */
	error: (Error & { description?: string | null; context?: IDataObject }) | undefined;
}

export async function runCoupon(
	store: ICredentialDataDecryptedObject,
	parameters: INodeParameters,
	input: IDataObject[] = [{}],
	extra: Partial<INode> = {},
): Promise<NodeRun> {
	const only = couponNode('Coupon', parameters, extra);
	const result = await runWorkflow(chain(only), {
		nodeTypes: couponTypes(),
		credentials: { couponKitStoreApi: store },
		input: input.map((json) => ({ json })),
	});
	const error = result.nodeError('Coupon') as NodeRun['error'];
	const items = error ? [] : result.output('Coupon');
	return { result, items, json: items.map((i) => i.json), error };
}

/** Runs and expects success: the JSON of every output item. */
export async function couponJson(
	store: ICredentialDataDecryptedObject,
	parameters: INodeParameters,
	input: IDataObject[] = [{}],
	extra: Partial<INode> = {},
): Promise<IDataObject[]> {
	const run = await runCoupon(store, parameters, input, extra);
	if (run.error) throw run.error;
	return run.json;
}
