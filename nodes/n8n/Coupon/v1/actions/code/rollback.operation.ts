import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CouponEngine } from '../../../../../../core/api';
import { runCouponOperation } from '../../../../../../core/hosts/operations';
import type { ItemParameters } from '../../helpers/parameters';
import { toItems } from '../../helpers/parameters';
import { idempotencyKeyOption, reasonOption } from '../fields';

const properties: INodeProperties[] = [
	{
		displayName: 'Redemption ID',
		name: 'redemptionId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.redemptionId }}',
		description: 'The ID a Redeem or Commit returned; rolling back gives the use back, for example after a refund',
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [idempotencyKeyOption, reasonOption],
	},
];

const displayOptions = { show: { resource: ['code'], operation: ['rollback'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	engine: CouponEngine,
	params: ItemParameters,
): Promise<INodeExecutionData[]> {
	const args = params.args(itemIndex, ['redemptionId'], ['additionalFields']);
	return toItems(await runCouponOperation(engine, 'code', 'rollback', args));
}
