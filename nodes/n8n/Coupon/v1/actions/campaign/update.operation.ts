import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CouponEngine } from '../../../../../../core/api';
import { runCouponOperation } from '../../../../../../core/hosts/operations';
import type { ItemParameters } from '../../helpers/parameters';
import { toItems } from '../../helpers/parameters';
import { campaignIdField } from '../fields';
import { updateOptions } from './campaignFields';

const properties: INodeProperties[] = [
	campaignIdField,
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: updateOptions,
	},
];

const displayOptions = { show: { resource: ['campaign'], operation: ['update'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	engine: CouponEngine,
	params: ItemParameters,
): Promise<INodeExecutionData[]> {
	const args = params.args(itemIndex, ['campaignId'], ['updateFields']);
	return toItems(await runCouponOperation(engine, 'campaign', 'update', args));
}
