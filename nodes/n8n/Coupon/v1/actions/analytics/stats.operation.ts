import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CouponEngine } from '../../../../../../core/api';
import { runCouponOperation } from '../../../../../../core/hosts/operations';
import type { Stats } from '../../../../../../core/types';
import type { ItemParameters } from '../../helpers/parameters';

import { timeZoneOption } from '../fields';

const properties: INodeProperties[] = [
	{
		displayName: 'Group By',
		name: 'groupBy',
		type: 'options',
		options: [
			{ name: 'Campaign', value: 'campaign', description: 'One item per campaign' },
			{ name: 'Channel', value: 'channel', description: 'One item per channel' },
			{ name: 'Day', value: 'day', description: 'One item per day, in the chosen time zone' },
			{ name: 'Nothing (Totals)', value: 'none', description: 'One item with the totals' },
		],
		default: 'none',
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Campaign ID',
				name: 'campaignId',
				type: 'string',
				default: '',
			},
			{
				displayName: 'From',
				name: 'from',
				type: 'dateTime',
				default: '',
				description: 'Start of the period (inclusive, rounded down to the hour)',
			},
			{ ...timeZoneOption, description: 'Time zone days are counted in, and dates without an offset are read in (default UTC)' },
			{
				displayName: 'To',
				name: 'to',
				type: 'dateTime',
				default: '',
				description: 'End of the period (exclusive, rounded up to the hour); default now',
			},
		],
	},
];

const displayOptions = { show: { resource: ['analytics'], operation: ['stats'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	engine: CouponEngine,
	params: ItemParameters,
): Promise<INodeExecutionData[]> {
	const args = params.args(itemIndex, ['groupBy'], ['filters']);
	const stats = (await runCouponOperation(engine, 'analytics', 'stats', args)) as unknown as Stats;
	if (!stats.groups) return [{ json: stats as unknown as IDataObject }];
	const groupBy = String(args.groupBy);
	return stats.groups.map(({ key, ...counts }) => ({ json: { groupBy, key, ...counts } }));
}
