import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CouponEngine } from '../../../../../../core/api';
import { runCouponOperation } from '../../../../../../core/hosts/operations';
import type { ItemParameters } from '../../helpers/parameters';
import { toItems } from '../../helpers/parameters';
import { idempotencyKeyOption } from '../fields';

const properties: INodeProperties[] = [
	{
		displayName: 'Reservation ID',
		name: 'reservationId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.reservationId }}',
		description: 'The ID a Reserve returned; releasing gives the unit back, for example after a failed payment',
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [idempotencyKeyOption],
	},
];

const displayOptions = { show: { resource: ['code'], operation: ['release'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	engine: CouponEngine,
	params: ItemParameters,
): Promise<INodeExecutionData[]> {
	const args = params.args(itemIndex, ['reservationId'], ['additionalFields']);
	return toItems(await runCouponOperation(engine, 'code', 'release', args));
}
