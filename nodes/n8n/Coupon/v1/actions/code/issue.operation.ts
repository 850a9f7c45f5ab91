import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CouponEngine } from '../../../../../../core/api';
import { runCouponOperation } from '../../../../../../core/hosts/operations';
import type { ItemParameters } from '../../helpers/parameters';
import { toItems } from '../../helpers/parameters';
import { campaignIdField, channelOption, customerIdOption, emailOption, idempotencyKeyOption, metadataOption } from '../fields';

const properties: INodeProperties[] = [
	campaignIdField,
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [channelOption, customerIdOption, emailOption, idempotencyKeyOption, metadataOption],
	},
];

const displayOptions = { show: { resource: ['code'], operation: ['issue'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	engine: CouponEngine,
	params: ItemParameters,
): Promise<INodeExecutionData[]> {
	const args = params.args(itemIndex, ['campaignId'], ['additionalFields']);
	return toItems(await runCouponOperation(engine, 'code', 'issue', args));
}
