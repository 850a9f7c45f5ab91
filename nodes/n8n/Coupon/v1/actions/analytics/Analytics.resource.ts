import type { INodeProperties } from 'n8n-workflow';

import * as events from './events.operation';
import * as stats from './stats.operation';

export { events, stats };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['analytics'] } },
		options: [
			{
				name: 'Get Events',
				value: 'events',
				description: 'Read the ledger: every issue, redemption, rejection … in order',
				action: 'Get ledger events',
			},
			{
				name: 'Get Stats',
				value: 'stats',
				description: 'Counts, redemption rate and revenue, in total or by day, channel or campaign',
				action: 'Get coupon stats',
			},
		],
		default: 'stats',
	},
	...stats.description,
	...events.description,
];
