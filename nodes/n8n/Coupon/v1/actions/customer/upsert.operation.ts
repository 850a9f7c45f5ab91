import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CouponEngine } from '../../../../../../core/api';
import { runCouponOperation } from '../../../../../../core/hosts/operations';
import type { ItemParameters } from '../../helpers/parameters';
import { toItems } from '../../helpers/parameters';
import { emailOption, metadataOption, timeZoneOption } from '../fields';

const properties: INodeProperties[] = [
	{
		displayName: 'Customer ID',
		name: 'customerId',
		type: 'string',
		required: true,
		default: '',
		description: 'Your ID of the customer; an existing profile with this ID is updated',
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Birthday',
				name: 'birthday',
				type: 'string',
				default: '',
				placeholder: 'e.g. 1990-04-17 or --04-17',
				description: 'Date of birth (YYYY-MM-DD, or --MM-DD without the year) for birthday triggers',
			},
			emailOption,
			metadataOption,
			{
				displayName: 'Order Count',
				name: 'orderCount',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0 },
				description: 'Orders the customer placed so far',
			},
			{
				displayName: 'Phone',
				name: 'phone',
				type: 'string',
				default: '',
				placeholder: 'e.g. +4915112345678',
			},
			{
				displayName: 'Renewal Date',
				name: 'renewalDate',
				type: 'string',
				default: '',
				placeholder: 'e.g. 2027-01-31',
				description: 'Next membership renewal (YYYY-MM-DD) for renewal triggers',
			},
			{
				displayName: 'Tags',
				name: 'tags',
				type: 'string',
				default: '',
				placeholder: 'e.g. vip, newsletter',
				description: 'Comma-separated segments or tags; campaigns can be limited to them',
			},
			{ ...timeZoneOption, description: 'The customer’s time zone: birthdays fire on the day where the customer lives' },
		],
	},
];

const displayOptions = { show: { resource: ['customer'], operation: ['upsert'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	engine: CouponEngine,
	params: ItemParameters,
): Promise<INodeExecutionData[]> {
	const args = params.args(itemIndex, ['customerId'], ['additionalFields']);
	return toItems(await runCouponOperation(engine, 'customer', 'upsert', args));
}
