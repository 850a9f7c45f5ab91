import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CouponEngine } from '../../../../../../core/api';
import { codesToCsv, runCouponOperation } from '../../../../../../core/hosts/operations';
import type { ItemParameters } from '../../helpers/parameters';
import { choiceOf, textOf } from '../../helpers/parameters';
import { campaignIdField, channelOption } from '../fields';

const properties: INodeProperties[] = [
	campaignIdField,
	{
		displayName: 'Number of Codes',
		name: 'count',
		type: 'number',
		required: true,
		default: 100,
		typeOptions: { minValue: 1 },
		description: 'How many new unique codes to create and store',
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			{
				name: 'One Item per Code',
				value: 'items',
				description: 'Each code becomes an item, ready for the next node',
			},
			{
				name: 'CSV File',
				value: 'file',
				description: 'One item with the codes as a CSV file in a binary field, for upload elsewhere',
			},
		],
		default: 'items',
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the output binary field to put the file in',
		displayOptions: { show: { output: ['file'] } },
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Batch Size',
				name: 'batchSize',
				type: 'number',
				default: 1000,
				typeOptions: { minValue: 1 },
				description: 'Codes written to the store per transaction',
			},
			channelOption,
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				placeholder: 'e.g. spring-codes.csv',
				description: 'Name of the CSV file; default is the campaign ID followed by -codes.csv',
				displayOptions: { show: { '/output': ['file'] } },
			},
		],
	},
];

const displayOptions = { show: { resource: ['code'], operation: ['bulkGenerate'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	engine: CouponEngine,
	params: ItemParameters,
): Promise<INodeExecutionData[]> {
	const args = params.args(itemIndex, ['campaignId', 'count'], ['additionalFields']);
	// Everything about the output is checked before a single code is generated.
	const output = choiceOf(params.get<unknown>('output', itemIndex, 'items'), 'output', ['items', 'file'] as const);
	const fileName = output === 'file' ? textOf(args.fileName, 'fileName') : undefined;
	const binaryPropertyName = output === 'file' ? (textOf(params.get<unknown>('binaryPropertyName', itemIndex, 'data'), 'binaryPropertyName', true) as string) : '';
	delete args.fileName;
	const result = await runCouponOperation(engine, 'code', 'bulkGenerate', args);
	const { campaignId, codes } = result as { campaignId: string; codes: string[] };

	if (output === 'items') {
		return codes.map((code) => ({ json: { code, campaignId } }));
	}
	const name = fileName ?? `${campaignId}-codes.csv`;
	const binary = await this.helpers.prepareBinaryData(Buffer.from(codesToCsv(codes, { campaignId }), 'utf8'), name, 'text/csv');
	return [{ json: { campaignId, count: codes.length, fileName: name }, binary: { [binaryPropertyName]: binary } }];
}
