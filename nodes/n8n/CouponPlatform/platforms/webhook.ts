import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { newId } from '../../../../core/ids';
import { buildWebhookRequest, WEBHOOK_PLATFORM_ID } from '../../../../core/platforms/webhook';
import type { BuiltRequest, N8nPlatform } from './types';

const show = { platform: [WEBHOOK_PLATFORM_ID], action: ['send'] };

const properties: INodeProperties[] = [
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. https://example.com/hooks/coupons',
		description: 'Where to send the request',
		displayOptions: { show },
	},
	{
		displayName: 'Method',
		name: 'method',
		type: 'options',
		options: [
			{ name: 'PATCH', value: 'PATCH' },
			{ name: 'POST', value: 'POST' },
			{ name: 'PUT', value: 'PUT' },
		],
		default: 'POST',
		displayOptions: { show },
	},
	{
		displayName: 'Event Name',
		name: 'event',
		type: 'string',
		default: 'coupon.issued',
		description: 'Sent as the X-Coupon-Kit-Event header so the receiver knows what happened',
		displayOptions: { show },
	},
	{
		displayName: 'Send',
		name: 'payloadSource',
		type: 'options',
		options: [
			{ name: 'The Whole Item', value: 'item', description: 'The JSON of the incoming item' },
			{ name: 'Custom JSON', value: 'json' },
		],
		default: 'item',
		displayOptions: { show },
	},
	{
		displayName: 'JSON Body',
		name: 'payload',
		type: 'json',
		default: '{\n  "code": "{{ $json.code }}",\n  "email": "{{ $json.email }}"\n}',
		displayOptions: { show: { ...show, payloadSource: ['json'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Delivery ID',
				name: 'deliveryId',
				type: 'string',
				default: '',
				placeholder: 'e.g. order-1234-email',
				description:
					'Sent as X-Coupon-Kit-Delivery so the receiver can drop duplicates; default is a new ID per request',
			},
			{
				displayName: 'Headers',
				name: 'headers',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				placeholder: 'Add Header',
				options: [
					{
						name: 'header',
						displayName: 'Header',
						values: [
							{ displayName: 'Name', name: 'name', type: 'string', default: '' },
							{ displayName: 'Value', name: 'value', type: 'string', default: '' },
						],
					},
				],
			},
		],
	},
];

function parsePayload(ctx: IExecuteFunctions, itemIndex: number): unknown {
	if (ctx.getNodeParameter('payloadSource', itemIndex, 'item') === 'item') return ctx.getInputData()[itemIndex].json;
	const raw = ctx.getNodeParameter('payload', itemIndex, '{}') as unknown;
	if (typeof raw !== 'string') return raw;
	try {
		return JSON.parse(raw) as unknown;
	} catch {
		throw new NodeOperationError(ctx.getNode(), 'JSON Body: is not valid JSON', {
			itemIndex,
			description: 'Check the "JSON Body" parameter: quote strings, and use {{ }} only inside string values or as whole values.',
		});
	}
}

export const webhook: N8nPlatform = {
	option: {
		name: 'Webhook (Any URL)',
		value: WEBHOOK_PLATFORM_ID,
		description: 'Send JSON to any URL, signed with the Coupon Kit signature header',
	},
	credential: 'couponKitWebhookApi',
	actions: [
		{
			name: 'Send',
			value: 'send',
			description: 'Send the item (or custom JSON) as a signed request',
			action: 'Send a signed webhook',
		},
	],
	properties,
	async build(this: IExecuteFunctions, _action: string, itemIndex: number, credentials: ICredentialDataDecryptedObject): Promise<BuiltRequest> {
		const payload = parsePayload(this, itemIndex);
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const headerList = ((options.headers as IDataObject | undefined)?.header ?? []) as Array<{ name?: string; value?: string }>;
		const headers: Record<string, string> = {};
		for (const { name, value } of headerList) if (name) headers[name] = value ?? '';
		if (typeof credentials.authorization === 'string' && credentials.authorization !== '') {
			headers.Authorization = credentials.authorization;
		}
		const deliveryId = typeof options.deliveryId === 'string' && options.deliveryId !== '' ? options.deliveryId : newId();
		const event = this.getNodeParameter('event', itemIndex, '') as string;
		const request = buildWebhookRequest({
			url: this.getNodeParameter('url', itemIndex) as string,
			method: this.getNodeParameter('method', itemIndex, 'POST') as 'POST' | 'PUT' | 'PATCH',
			payload,
			secret: typeof credentials.secret === 'string' && credentials.secret !== '' ? credentials.secret : undefined,
			event: event || undefined,
			deliveryId,
			headers,
		});
		const code = payload && typeof payload === 'object' && typeof (payload as IDataObject).code === 'string' ? String((payload as IDataObject).code) : null;
		return { request, deliveryId, code };
	},
	secretsOf(credentials) {
		return [credentials.secret, credentials.authorization].filter((s): s is string => typeof s === 'string' && s !== '');
	},
};
