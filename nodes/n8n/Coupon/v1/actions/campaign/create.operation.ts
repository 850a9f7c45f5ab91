import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CouponEngine } from '../../../../../../core/api';
import { runCouponOperation } from '../../../../../../core/hosts/operations';
import type { ItemParameters } from '../../helpers/parameters';
import { choiceOf, toItems } from '../../helpers/parameters';
import { campaignIdField } from '../fields';
import { createOptions, discountFields } from './campaignFields';

const properties: INodeProperties[] = [
	{
		displayName: 'Define With',
		name: 'defineWith',
		type: 'options',
		options: [
			{ name: 'Fields Below', value: 'fields' },
			{ name: 'JSON', value: 'json' },
		],
		default: 'fields',
	},
	campaignIdField,
	...discountFields.map((f) => ({
		...f,
		displayOptions: { show: { ...(f.displayOptions?.show ?? {}), defineWith: ['fields'] } },
	})),
	{
		displayName: 'Campaign Definition (JSON)',
		name: 'definition',
		type: 'json',
		default:
			'{\n  "name": "Spring sale",\n  "code": { "pattern": "SPRING-####-####", "checkCharacter": true },\n  "discount": { "type": "percent", "value": 15 },\n  "validity": { "zone": "Europe/Berlin", "lifetimeDays": 30 },\n  "limits": { "perCode": 1, "perCustomer": 1 }\n}',
		description: 'The whole campaign as JSON (see the docs for every field); the Campaign ID above is used as its ID',
		displayOptions: { show: { defineWith: ['json'] } },
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show: { defineWith: ['fields'] } },
		options: createOptions,
	},
];

const displayOptions = { show: { resource: ['campaign'], operation: ['create'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	engine: CouponEngine,
	params: ItemParameters,
): Promise<INodeExecutionData[]> {
	const defineWith = choiceOf(params.get<unknown>('defineWith', itemIndex, 'fields'), 'defineWith', ['fields', 'json'] as const);
	const args =
		defineWith === 'json'
			? params.args(itemIndex, ['campaignId', 'definition'])
			: params.args(itemIndex, ['campaignId', 'discountType', 'discountValue', 'discountAmount', 'discountCurrency'], ['additionalFields']);
	return toItems(await runCouponOperation(engine, 'campaign', 'create', args));
}
