import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as update from './update.operation';

export { create, get, getMany, update };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['campaign'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				description: 'Define a campaign: discount, code format, validity, limits and rules',
				action: 'Create a campaign',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get a campaign by ID',
				action: 'Get a campaign',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				description: 'Get many campaigns',
				action: 'Get many campaigns',
			},
			{
				name: 'Update',
				value: 'update',
				description: 'Change a campaign’s rules, limits, validity or discount',
				action: 'Update a campaign',
			},
		],
		default: 'create',
	},
	...create.description,
	...update.description,
	...get.description,
	...getMany.description,
];
