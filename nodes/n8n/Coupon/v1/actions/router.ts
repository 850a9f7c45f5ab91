import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { CouponEngine } from '../../../../../core/api';
import { getStore, queueModeWarning } from '../../../shared/store';
import { toNodeError } from '../../../shared/errors';
import { ItemParameters, NODE_FIELD_LABELS } from '../helpers/parameters';
import * as analytics from './analytics/Analytics.resource';
import * as campaign from './campaign/Campaign.resource';
import * as code from './code/Code.resource';
import * as customer from './customer/Customer.resource';
import type { CouponType } from './node.type';

type OperationExecute = (
	this: IExecuteFunctions,
	itemIndex: number,
	engine: CouponEngine,
	params: ItemParameters,
) => Promise<INodeExecutionData[]>;

function operationOf(ctx: IExecuteFunctions, node: CouponType): OperationExecute {
	switch (node.resource) {
		case 'code':
			return code[node.operation].execute;
		case 'campaign':
			return campaign[node.operation].execute;
		case 'customer':
			return customer[node.operation].execute;
		case 'analytics':
			return analytics[node.operation].execute;
		default:
			throw new NodeOperationError(ctx.getNode(), `The resource "${(node as { resource: string }).resource}" is not known`);
	}
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const couponNode = {
		resource: this.getNodeParameter('resource', 0),
		operation: this.getNodeParameter('operation', 0),
	} as CouponType;
	const execute = operationOf(this, couponNode);
	if (typeof execute !== 'function') {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${couponNode.operation}" is not known for "${couponNode.resource}"`,
		);
	}

	const returnData: INodeExecutionData[] = [];
	let engine: CouponEngine;
	try {
		const store = await getStore(this);
		engine = store.engine;
		const warning = queueModeWarning(store.options);
		if (warning) this.addExecutionHints({ message: warning, type: 'warning', location: 'outputPane' });
	} catch (error) {
		if (!this.continueOnFail()) throw error;
		const message = error instanceof Error ? error.message : String(error);
		return [items.map((_, item) => ({ json: { error: message }, pairedItem: { item } }))];
	}

	const params = new ItemParameters(this);
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const results = await execute.call(this, itemIndex, engine, params);
			for (const result of results) {
				result.pairedItem = { item: itemIndex };
				returnData.push(result);
			}
		} catch (error) {
			const nodeError = toNodeError(this.getNode(), error, itemIndex, NODE_FIELD_LABELS);
			if (this.continueOnFail()) {
				returnData.push({ json: { error: nodeError.message }, pairedItem: { item: itemIndex } });
				continue;
			}
			throw nodeError;
		}
	}
	return [returnData];
}
