// Parameters several operations share; names are the host field names of core/hosts/operations.ts.
import type { INodeProperties } from 'n8n-workflow';

export const campaignIdField: INodeProperties = {
	displayName: 'Campaign ID',
	name: 'campaignId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. spring-sale',
	description: 'ID of the campaign (letters, digits, "_", "-" and ".")',
};

export const codeField: INodeProperties = {
	displayName: 'Code',
	name: 'code',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. SPRING-7KQ4-M2XD',
	description: 'The coupon code as the customer typed it; case, spaces and dashes do not matter',
};

export const channelOption: INodeProperties = {
	displayName: 'Channel',
	name: 'channel',
	type: 'string',
	default: '',
	placeholder: 'e.g. email',
	description: 'Where the code is used or sent (email, sms, pos, web …); campaigns may allow only some channels',
};

export const currencyOption: INodeProperties = {
	displayName: 'Currency',
	name: 'currency',
	type: 'string',
	default: '',
	placeholder: 'e.g. EUR',
	description: 'Three-letter ISO currency code of the order amount',
};

export const customerIdOption: INodeProperties = {
	displayName: 'Customer ID',
	name: 'customerId',
	type: 'string',
	default: '',
	description: 'Your ID of the customer; limits per customer count on it',
};

export const emailOption: INodeProperties = {
	displayName: 'Email',
	name: 'email',
	type: 'string',
	default: '',
	placeholder: 'name@email.com',
	description: 'The customer’s email; "Ann+shop@x.com" and "ann@x.com" count as the same customer',
};

export const firstOrderOption: INodeProperties = {
	displayName: 'First Order',
	name: 'firstOrder',
	type: 'boolean',
	default: false,
	description: 'Whether this is the customer’s first order (for first-order-only campaigns)',
};

export const idempotencyKeyOption: INodeProperties = {
	displayName: 'Idempotency Key',
	name: 'idempotencyKey',
	type: 'string',
	default: '',
	placeholder: 'e.g. {{ $json.orderId }}',
	description:
		'A key unique to this request. Sending the same key again returns the first result and changes nothing, so retries are safe.',
};

export const metadataOption: INodeProperties = {
	displayName: 'Metadata',
	name: 'metadata',
	type: 'json',
	default: '{}',
	description: 'Any JSON object to keep with the record',
};

export const orderAmountOption: INodeProperties = {
	displayName: 'Order Amount',
	name: 'orderAmount',
	type: 'number',
	default: 0,
	typeOptions: { minValue: 0, numberPrecision: 2 },
	description: 'Total of the order; checked against the minimum order and used to compute the discount',
};

export const orderIdOption: INodeProperties = {
	displayName: 'Order ID',
	name: 'orderId',
	type: 'string',
	default: '',
	description: 'Your ID of the order, stored with the redemption',
};

export const reasonOption: INodeProperties = {
	displayName: 'Reason',
	name: 'reason',
	type: 'string',
	default: '',
	description: 'Why, in words; kept in the ledger',
};

export const segmentsOption: INodeProperties = {
	displayName: 'Segments',
	name: 'segments',
	type: 'string',
	default: '',
	placeholder: 'e.g. vip, newsletter',
	description: 'Comma-separated segments or tags of the customer; when empty the stored customer profile is used',
};

export const sourceOption: INodeProperties = {
	displayName: 'Source',
	name: 'source',
	type: 'string',
	default: '',
	placeholder: 'e.g. {{ $json.headers["x-forwarded-for"] }}',
	description: 'Where the attempt comes from (IP address, phone number); too many failed guesses block it for a while',
};

export const ttlOption: INodeProperties = {
	displayName: 'Hold For (Seconds)',
	name: 'ttlSeconds',
	type: 'number',
	default: 900,
	typeOptions: { minValue: 1 },
	description: 'How long the reservation holds the code before it lapses and the unit returns',
};

export const timeZoneOption: INodeProperties = {
	displayName: 'Time Zone',
	name: 'timeZone',
	type: 'string',
	default: '',
	placeholder: 'e.g. Europe/Berlin',
	description: 'IANA time zone name',
};

/** Options a customer-facing use of a code may carry (Validate, Redeem, Reserve). */
export function orderOptions(extra: INodeProperties[] = []): INodeProperties[] {
	return [
		channelOption,
		currencyOption,
		customerIdOption,
		emailOption,
		firstOrderOption,
		orderAmountOption,
		segmentsOption,
		sourceOption,
		...extra,
	].sort((a, b) => a.displayName.localeCompare(b.displayName));
}
