import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CouponEngine } from '../../../../../../core/api';
import { InvalidArgumentError } from '../../../../../../core/errors';
import { runCouponOperation } from '../../../../../../core/hosts/operations';
import { annualRule } from '../../../../../../core/triggers';
import type { AnnualOptions } from '../../../../../../core/triggers';
import { checkScope } from '../../../../../../core/triggers/check';
import type { JsonObject } from '../../../../../../core/hosts/operations';
import type { StoredCustomer } from '../../../../../../core/types';
import { problemOf } from '../../../../shared/errors';
import { getTriggers } from '../../../../shared/triggers';
import type { ItemParameters } from '../../helpers/parameters';
import { flagOf, textOf, toItems } from '../../helpers/parameters';
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
	{
		displayName: 'Milestone Triggers',
		name: 'milestoneOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description: 'How the customer’s birthday and renewal are scheduled for the Coupon Trigger (Customer Milestone)',
		options: [
			{
				displayName: 'At (Local Time)',
				name: 'time',
				type: 'string',
				default: '09:00',
				placeholder: 'HH:mm',
				description: 'Time of day in the customer’s time zone',
			},
			{
				displayName: 'Days Before',
				name: 'daysBefore',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0 },
				description: 'Fire this many days ahead of the birthday or renewal',
			},
			{
				displayName: 'Schedule Milestones',
				name: 'schedule',
				type: 'boolean',
				default: true,
				description: 'Whether to schedule the birthday and renewal of this customer for Coupon Triggers',
			},
			{
				displayName: 'Trigger Scope',
				name: 'scope',
				type: 'string',
				default: 'default',
				description: 'The Trigger Scope of the Coupon Trigger that should fire them',
			},
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
	// The milestone settings are checked before the profile is written.
	const milestones = params.get<IDataObject>('milestoneOptions', itemIndex, {});
	const schedule = milestones.schedule === undefined ? true : flagOf(milestones.schedule, 'schedule');
	const scope = checkScope(textOf(milestones.scope, 'scope') ?? 'default');
	const annual = { daysBefore: milestones.daysBefore ?? 0, time: textOf(milestones.time, 'time') ?? '09:00' } as AnnualOptions;
	try {
		annualRule('birthday', '--01-01', 'UTC', annual);
	} catch (error) {
		if (error instanceof InvalidArgumentError && error.field.startsWith('birthday.')) {
			throw new InvalidArgumentError(error.field.slice('birthday.'.length), problemOf(error));
		}
		throw error;
	}
	const stored = (await runCouponOperation(engine, 'customer', 'upsert', args)) as unknown as StoredCustomer;
	if (!schedule) return toItems(stored as unknown as JsonObject);
	const triggers = await getTriggers(this, scope);
	const next = await triggers.scheduleCustomer(stored, { birthday: annual, renewal: annual });
	const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
	return [
		{
			json: {
				...(stored as unknown as IDataObject),
				milestones: { scope, birthday: iso(next.birthday), renewal: iso(next.renewal) },
			},
		},
	];
}
