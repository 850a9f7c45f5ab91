import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CouponEngine } from '../../../../../../core/api';
import { runCouponOperation } from '../../../../../../core/hosts/operations';
import type { EventsPage } from '../../../../../../core/types';
import type { ItemParameters } from '../../helpers/parameters';
import { choiceOf, flagOf, textOf, wholeNumberOf } from '../../helpers/parameters';

const EVENT_TYPES = [
	['Blocked', 'blocked'],
	['Campaign Created', 'campaign_created'],
	['Campaign Updated', 'campaign_updated'],
	['Customer Upserted', 'customer_upserted'],
	['Delivered', 'delivered'],
	['Expired', 'expired'],
	['Generated', 'generated'],
	['Issued', 'issued'],
	['Redeemed', 'redeemed'],
	['Rejected', 'rejected'],
	['Released', 'released'],
	['Reserved', 'reserved'],
	['Rolled Back', 'rolled_back'],
	['Voided', 'voided'],
] as const;

const PAGE_SIZE = 1000;

const properties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1 },
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			{ name: 'One Item per Event', value: 'events' },
			{
				name: 'One Item With Events and Cursor',
				value: 'page',
				description: 'Keep the cursor to read on from there next time',
			},
		],
		default: 'events',
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'After Cursor',
				name: 'after',
				type: 'string',
				default: '',
				description: 'Cursor a previous read returned; only later events are returned',
			},
			{
				displayName: 'Campaign ID',
				name: 'campaignId',
				type: 'string',
				default: '',
			},
			{
				displayName: 'Event Types',
				name: 'types',
				type: 'multiOptions',
				options: EVENT_TYPES.map(([name, value]) => ({ name, value })),
				default: [],
			},
		],
	},
];

const displayOptions = { show: { resource: ['analytics'], operation: ['events'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	engine: CouponEngine,
	params: ItemParameters,
): Promise<INodeExecutionData[]> {
	const filters = params.args(itemIndex, [], ['filters']);
	const returnAll = flagOf(params.get<unknown>('returnAll', itemIndex, false), 'returnAll');
	let remaining = returnAll ? Number.POSITIVE_INFINITY : wholeNumberOf(params.get<unknown>('limit', itemIndex, 50), 'limit', 1);
	const output = choiceOf(params.get<unknown>('output', itemIndex, 'events'), 'output', ['events', 'page'] as const);
	const events: EventsPage['events'] = [];
	let cursor = textOf(filters.after, 'after') ?? '';
	for (;;) {
		const page = (await runCouponOperation(engine, 'analytics', 'events', {
			...filters,
			after: cursor,
			limit: Math.min(PAGE_SIZE, remaining),
		})) as unknown as EventsPage;
		events.push(...page.events);
		remaining -= page.events.length;
		const moved = page.cursor !== cursor;
		cursor = page.cursor;
		if (page.events.length === 0 || remaining <= 0 || !moved) break;
	}
	if (output === 'page') {
		return [{ json: { events, cursor, count: events.length } as unknown as IDataObject }];
	}
	return events.map((event) => ({ json: event as unknown as IDataObject }));
}
