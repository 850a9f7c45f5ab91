import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';

import { STORE_CREDENTIAL_TEST, testStoreCredential } from '../shared/store';
import { pollOnce } from './poll';

export class CouponTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Coupon Trigger',
		name: 'couponTrigger',
		icon: 'file:couponTrigger.svg',
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["event"] }}',
		description: 'Starts the workflow when a cart is abandoned, a calendar occasion or customer milestone comes, or a coupon is used',
		defaults: {
			name: 'Coupon Trigger',
		},
		polling: true,
		inputs: [],
		outputs: ['main'],
		credentials: [
			{
				name: 'couponKitStoreApi',
				required: true,
				testedBy: 'couponKitStoreConnectionTest',
			},
		],
		properties: [
			{
				displayName: 'Event',
				name: 'event',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Calendar Event',
						value: 'calendarEvent',
						description: 'A date you set comes: an anniversary, a public holiday, every Friday …',
					},
					{
						name: 'Cart Abandoned',
						value: 'cartAbandoned',
						description: 'A cart saw no activity and no checkout for the time set on the Coupon Webhook Trigger',
					},
					{
						name: 'Coupon Lifecycle',
						value: 'couponLifecycle',
						description: 'Codes issued, redeemed, rolled back, hitting a limit, or about to expire',
					},
					{
						name: 'Customer Milestone',
						value: 'customerMilestone',
						description: 'A customer’s birthday or membership renewal, in the customer’s time zone',
					},
				],
				default: 'cartAbandoned',
			},
			{
				displayName:
					'Carts are tracked by a Coupon Webhook Trigger with "Cart Activity" selected, using the same Trigger Scope',
				name: 'cartNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { event: ['cartAbandoned'] } },
			},
			{
				displayName:
					'Birthdays and renewals come from customers saved with Coupon → Customer → Create or Update, using the same Trigger Scope',
				name: 'milestoneNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { event: ['customerMilestone'] } },
			},
			{
				displayName: 'Trigger Scope',
				name: 'scope',
				type: 'string',
				default: 'default',
				description:
					'Name of the trigger state to read. Each due cart or milestone fires once in total, in whichever workflow polls it first.',
				displayOptions: { show: { event: ['cartAbandoned', 'customerMilestone'] } },
			},
			{
				displayName: 'Milestones',
				name: 'milestones',
				type: 'multiOptions',
				options: [
					{ name: 'Birthday', value: 'birthday' },
					{ name: 'Membership Renewal', value: 'renewal' },
				],
				default: ['birthday', 'renewal'],
				displayOptions: { show: { event: ['customerMilestone'] } },
			},
			{
				displayName: 'Occasions',
				name: 'rules',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Occasion',
				default: {},
				displayOptions: { show: { event: ['calendarEvent'] } },
				options: [
					{
						name: 'range',
						displayName: 'Date Range (Every Day In It)',
						values: [
							{ displayName: 'From', name: 'from', type: 'dateTime', default: '' },
							{ displayName: 'To', name: 'to', type: 'dateTime', default: '' },
							{ displayName: 'Name', name: 'name', type: 'string', default: '' },
						],
					},
					{
						name: 'monthly',
						displayName: 'Every Month',
						values: [
							{
								displayName: 'Day of Month',
								name: 'day',
								type: 'number',
								default: 1,
								typeOptions: { minValue: 1, maxValue: 31 },
								description: 'Short months fire on their last day',
							},
							{ displayName: 'Name', name: 'name', type: 'string', default: '' },
						],
					},
					{
						name: 'weekly',
						displayName: 'Every Week',
						values: [
							{
								displayName: 'Days',
								name: 'days',
								type: 'multiOptions',
								options: [
									{ name: 'Friday', value: 'fri' },
									{ name: 'Monday', value: 'mon' },
									{ name: 'Saturday', value: 'sat' },
									{ name: 'Sunday', value: 'sun' },
									{ name: 'Thursday', value: 'thu' },
									{ name: 'Tuesday', value: 'tue' },
									{ name: 'Wednesday', value: 'wed' },
								],
								default: [],
							},
							{ displayName: 'Name', name: 'name', type: 'string', default: '' },
						],
					},
					{
						name: 'yearly',
						displayName: 'Every Year',
						values: [
							{
								displayName: 'Date (MM-DD)',
								name: 'date',
								type: 'string',
								default: '',
								placeholder: 'e.g. 11-26',
								description: 'Month and day, such as the store’s anniversary',
							},
							{ displayName: 'Name', name: 'name', type: 'string', default: '' },
						],
					},
					{
						name: 'date',
						displayName: 'Once',
						values: [
							{ displayName: 'Date', name: 'date', type: 'dateTime', default: '' },
							{ displayName: 'Name', name: 'name', type: 'string', default: '' },
						],
					},
					{
						name: 'holidays',
						displayName: 'Public Holidays',
						values: [
							{
								displayName: 'Country',
								name: 'country',
								type: 'string',
								default: 'DE',
								description: 'Two-letter country code',
							},
							{
								displayName: 'State',
								name: 'state',
								type: 'string',
								default: '',
								placeholder: 'e.g. BY',
								description: 'State or province code, for regional holidays',
							},
							{ displayName: 'Region', name: 'region', type: 'string', default: '' },
							{
								displayName: 'Only These Holidays',
								name: 'names',
								type: 'string',
								default: '',
								placeholder: 'e.g. Christmas Day, New Year\'s Day',
								description: 'Comma-separated English names; empty means every public holiday',
							},
						],
					},
				],
			},
			{
				displayName: 'At (Local Time)',
				name: 'time',
				type: 'string',
				default: '09:00',
				placeholder: 'HH:mm',
				displayOptions: { show: { event: ['calendarEvent'] } },
			},
			{
				displayName: 'Time Zone',
				name: 'timeZone',
				type: 'string',
				default: 'UTC',
				placeholder: 'e.g. Europe/Berlin',
				displayOptions: { show: { event: ['calendarEvent'] } },
			},
			{
				displayName: 'Days Before',
				name: 'daysBefore',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0 },
				description: 'Fire this many days ahead of each occasion, to send codes in time',
				displayOptions: { show: { event: ['calendarEvent'] } },
			},
			{
				displayName: 'Data',
				name: 'calendarData',
				type: 'json',
				default: '{}',
				description: 'JSON handed out with every firing (for example the campaign to issue from)',
				displayOptions: { show: { event: ['calendarEvent'] } },
			},
			{
				displayName: 'Lifecycle Events',
				name: 'lifecycleTypes',
				type: 'multiOptions',
				options: [
					{ name: 'Expiring Soon', value: 'expiring' },
					{ name: 'Issued', value: 'issued' },
					{ name: 'Limit Reached', value: 'limit_reached' },
					{ name: 'Redeemed', value: 'redeemed' },
					{ name: 'Rolled Back', value: 'rolled_back' },
				],
				default: ['redeemed'],
				displayOptions: { show: { event: ['couponLifecycle'] } },
			},
			{
				displayName: 'Expiring Within (Days)',
				name: 'expiringWithinDays',
				type: 'number',
				default: 3,
				typeOptions: { minValue: 0 },
				displayOptions: { show: { event: ['couponLifecycle'], lifecycleTypes: ['expiring'] } },
			},
			{
				displayName: 'Lifecycle Options',
				name: 'lifecycleOptions',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: { show: { event: ['couponLifecycle'] } },
				options: [
					{
						displayName: 'Campaign ID',
						name: 'campaignId',
						type: 'string',
						default: '',
						description: 'Only events of this campaign',
					},
					{
						displayName: 'Start With',
						name: 'startAt',
						type: 'options',
						options: [
							{ name: 'Events From Activation On', value: 'now' },
							{ name: 'The Whole Ledger', value: 'beginning' },
						],
						default: 'now',
					},
				],
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Max Items per Poll',
						name: 'maxItems',
						type: 'number',
						default: 100,
						typeOptions: { minValue: 1 },
						description: 'The rest come with the next poll',
					},
					{
						displayName: 'Skip Firings Late by More Than (Minutes)',
						name: 'maxLateMinutes',
						type: 'number',
						default: 0,
						description: 'After a long outage, drop firings that are this late instead of sending them (0 = never drop)',
					},
				],
			},
		],
	};

	methods = {
		credentialTest: { [STORE_CREDENTIAL_TEST]: testStoreCredential },
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const items = await pollOnce(this);
		if (items.length === 0) return null;
		return [this.helpers.returnJsonArray(items)];
	}
}
