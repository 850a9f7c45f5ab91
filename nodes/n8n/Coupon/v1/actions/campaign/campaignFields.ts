// Campaign fields as flat parameters; core/hosts/operations.ts nests them into a campaign definition.
import type { INodeProperties } from 'n8n-workflow';

import { metadataOption, timeZoneOption } from '../fields';

export const discountFields: INodeProperties[] = [
	{
		displayName: 'Discount Type',
		name: 'discountType',
		type: 'options',
		options: [
			{ name: 'Fixed Amount Off', value: 'fixed' },
			{ name: 'Free Shipping', value: 'freeShipping' },
			{ name: 'Percent Off', value: 'percent' },
		],
		default: 'percent',
	},
	{
		displayName: 'Percent Off',
		name: 'discountValue',
		type: 'number',
		default: 10,
		typeOptions: { minValue: 0, maxValue: 100 },
		displayOptions: { show: { discountType: ['percent'] } },
	},
	{
		displayName: 'Amount Off',
		name: 'discountAmount',
		type: 'number',
		default: 5,
		typeOptions: { minValue: 0, numberPrecision: 2 },
		displayOptions: { show: { discountType: ['fixed'] } },
	},
	{
		displayName: 'Discount Currency',
		name: 'discountCurrency',
		type: 'string',
		default: 'EUR',
		description: 'Three-letter ISO currency code of the amount off',
		displayOptions: { show: { discountType: ['fixed'] } },
	},
];

const activeField: INodeProperties = {
	displayName: 'Active',
	name: 'active',
	type: 'boolean',
	default: true,
	description: 'Whether codes of the campaign can be issued and used; pause a campaign by turning this off',
};

/** Rules, limits and validity: may be set on create and changed later. */
const changeable: INodeProperties[] = [
	{
		displayName: 'Channels',
		name: 'channels',
		type: 'string',
		default: '',
		placeholder: 'e.g. email, sms',
		description: 'Comma-separated channels the codes may be issued and used through; empty allows all',
	},
	{
		displayName: 'Code Lifetime (Days)',
		name: 'lifetimeDays',
		type: 'number',
		default: 30,
		typeOptions: { minValue: 1 },
		description: 'Each code expires this many calendar days after it is issued',
	},
	{
		displayName: 'First Order Only',
		name: 'firstOrderOnly',
		type: 'boolean',
		default: false,
		description: 'Whether codes may only be used on a customer’s first order',
	},
	{
		displayName: 'Issuance Limit',
		name: 'issuanceLimit',
		type: 'number',
		default: 1000,
		typeOptions: { minValue: 1 },
		description: 'Most codes the campaign may ever issue or generate',
	},
	{
		displayName: 'Max Guess Probability',
		name: 'maxGuessProbability',
		type: 'number',
		default: 0.000001,
		typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 10 },
		description:
			'Highest chance that a random guess hits a live code; the campaign refuses to issue more codes than this allows',
	},
	metadataOption,
	{
		displayName: 'Minimum Order Amount',
		name: 'minOrderAmount',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0, numberPrecision: 2 },
	},
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		description: 'Name shown to operators; defaults to the campaign ID',
	},
	{
		displayName: 'Order Currency',
		name: 'orderCurrency',
		type: 'string',
		default: '',
		placeholder: 'e.g. EUR',
		description: 'Orders must be in this currency (three-letter ISO code)',
	},
	{
		displayName: 'Segments',
		name: 'segments',
		type: 'string',
		default: '',
		placeholder: 'e.g. vip, newsletter',
		description: 'Comma-separated segments or tags; the customer must carry at least one. Empty allows everyone.',
	},
	{
		displayName: 'Time Windows',
		name: 'windows',
		type: 'json',
		default: '[{"days": ["sat", "sun"], "from": "09:00", "to": "18:00"}]',
		description: 'Days and local hours in which codes may be used, as a JSON list; empty allows any time',
	},
	{ ...timeZoneOption, description: 'Time zone of the validity dates and time windows (default UTC)' },
	{
		displayName: 'Total Redemptions',
		name: 'totalRedemptions',
		type: 'number',
		default: 100,
		typeOptions: { minValue: 1 },
		description: 'Most redemptions across the whole campaign',
	},
	{
		displayName: 'Uses per Code',
		name: 'perCode',
		type: 'number',
		default: 1,
		typeOptions: { minValue: 1 },
		description: 'How often one code may be redeemed (default 1)',
	},
	{
		displayName: 'Uses per Customer',
		name: 'perCustomer',
		type: 'number',
		default: 1,
		typeOptions: { minValue: 1 },
		description: 'How often one customer may redeem codes of this campaign (by customer ID and email)',
	},
	{
		displayName: 'Valid From',
		name: 'validFrom',
		type: 'dateTime',
		default: '',
		description: 'When the campaign starts; read in the campaign’s time zone',
	},
	{
		displayName: 'Valid Until',
		name: 'validUntil',
		type: 'dateTime',
		default: '',
		description: 'The moment codes stop working, read in the campaign’s time zone (e.g. 2027-04-01T00:00 to run through 31 March)',
	},
];

/** The code format: fixed once the campaign exists. */
const formatFields: INodeProperties[] = [
	{
		displayName: 'Characters',
		name: 'charset',
		type: 'string',
		default: '',
		placeholder: 'e.g. ABCDEFGHJKMNPQRSTUVWXYZ23456789',
		description: 'Symbols codes are drawn from; default is a 31-symbol set without look-alikes such as 0/O and 1/I/L',
	},
	{
		displayName: 'Check Character',
		name: 'checkCharacter',
		type: 'boolean',
		default: false,
		description:
			'Whether to add one check character that catches every single typo and every swap of neighbours before the store is asked',
	},
	{
		displayName: 'Code Length',
		name: 'codeLength',
		type: 'number',
		default: 10,
		typeOptions: { minValue: 1 },
		description: 'Random symbols per code when no pattern is given',
	},
	{
		displayName: 'Code Pattern',
		name: 'codePattern',
		type: 'string',
		default: '',
		placeholder: 'e.g. SPRING-####-####',
		description: 'Literal text with # for each random symbol',
	},
	{
		displayName: 'Postfix',
		name: 'postfix',
		type: 'string',
		default: '',
	},
	{
		displayName: 'Prefix',
		name: 'prefix',
		type: 'string',
		default: '',
	},
];

const byName = (a: INodeProperties, b: INodeProperties) => a.displayName.localeCompare(b.displayName);

export const createOptions: INodeProperties[] = [activeField, ...changeable, ...formatFields].sort(byName);

export const updateOptions: INodeProperties[] = [activeField, ...changeable, ...discountFields.map(optionalDiscount)].sort(byName);

/** In Update Fields the discount parts are separate optional entries, each shown on its own. */
function optionalDiscount(field: INodeProperties): INodeProperties {
	const copy = { ...field };
	delete copy.displayOptions;
	return copy;
}
