import type { INodeProperties } from 'n8n-workflow';

import * as bulkGenerate from './bulkGenerate.operation';
import * as commit from './commit.operation';
import * as get from './get.operation';
import * as issue from './issue.operation';
import * as redeem from './redeem.operation';
import * as release from './release.operation';
import * as reserve from './reserve.operation';
import * as rollback from './rollback.operation';
import * as validate from './validate.operation';
import * as voidCode from './void.operation';

export { bulkGenerate, commit, get, issue, redeem, release, reserve, rollback, validate, voidCode as void };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['code'] } },
		options: [
			{
				name: 'Bulk Generate',
				value: 'bulkGenerate',
				description: 'Create many unique codes at once, as items or a CSV file',
				action: 'Bulk generate codes',
			},
			{
				name: 'Commit',
				value: 'commit',
				description: 'Turn a reservation into a redemption after payment',
				action: 'Commit a reservation',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Look up a code: state, uses left, expiry',
				action: 'Get a code',
			},
			{
				name: 'Issue',
				value: 'issue',
				description: 'Create a new unique code for a customer',
				action: 'Issue a code',
			},
			{
				name: 'Redeem',
				value: 'redeem',
				description: 'Use a code on an order, checking every rule and limit at once',
				action: 'Redeem a code',
			},
			{
				name: 'Release',
				value: 'release',
				description: 'Give a reserved use back, for example after a failed payment',
				action: 'Release a reservation',
			},
			{
				name: 'Reserve',
				value: 'reserve',
				description: 'Hold one use of a code during checkout, to commit or release later',
				action: 'Reserve a code',
			},
			{
				name: 'Roll Back',
				value: 'rollback',
				description: 'Undo a redemption, for example after a refund',
				action: 'Roll back a redemption',
			},
			{
				name: 'Validate',
				value: 'validate',
				description: 'Check whether a code can be used, without using it',
				action: 'Validate a code',
			},
			{
				name: 'Void',
				value: 'void',
				description: 'Make a code unusable for good',
				action: 'Void a code',
			},
		],
		default: 'validate',
	},
	...issue.description,
	...validate.description,
	...redeem.description,
	...reserve.description,
	...commit.description,
	...release.description,
	...rollback.description,
	...voidCode.description,
	...get.description,
	...bulkGenerate.description,
];
