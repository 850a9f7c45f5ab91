import type {
	IDataObject,
	IExecuteFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { PlatformRequest } from '../../../core/platforms/types';
import { redactText, redactValue } from '../../../core/redact';
import { toNodeError } from '../shared/errors';
import { getEngine, STORE_CREDENTIAL_TEST, testStoreCredential } from '../shared/store';
import { PLATFORMS } from './platforms';

const platformList = Object.values(PLATFORMS);

const actionProperties: INodeProperties[] = platformList.map((p) => ({
	displayName: 'Action',
	name: 'action',
	type: 'options',
	noDataExpression: true,
	options: p.actions,
	default: String(p.actions[0].value),
	displayOptions: { show: { platform: [p.option.value] } },
}));

function bodyText(body: unknown): string {
	if (body === undefined || body === null) return '';
	if (Buffer.isBuffer(body)) return body.toString('utf8');
	return typeof body === 'string' ? body : JSON.stringify(body);
}

function parseBody(body: unknown, headers: IDataObject): unknown {
	const text = bodyText(body);
	if (text === '') return null;
	if (/\bjson\b/i.test(String(headers['content-type'] ?? ''))) {
		try {
			return JSON.parse(text) as unknown;
		} catch {
			return text;
		}
	}
	return text;
}

function originOf(url: string): string {
	try {
		return new URL(url).origin;
	} catch {
		return 'the URL';
	}
}

async function send(
	ctx: IExecuteFunctions,
	platform: string,
	request: PlatformRequest,
	secrets: string[],
	itemIndex: number,
): Promise<{ statusCode: number; body: unknown }> {
	let response: IN8nHttpFullResponse;
	try {
		response = (await ctx.helpers.httpRequest({
			url: request.url,
			method: request.method,
			headers: request.headers,
			body: typeof request.body === 'string' || request.body === undefined ? request.body : JSON.stringify(request.body),
			json: false,
			encoding: 'text',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			timeout: 30_000,
		})) as IN8nHttpFullResponse;
	} catch (error) {
		// Never hand n8n the raw error: it carries the request, headers included.
		const reason = redactText(error instanceof Error ? error.message : String(error), secrets);
		throw new NodeApiError(ctx.getNode(), { message: reason } as JsonObject, {
			itemIndex,
			message: `Could not reach ${originOf(request.url)}`,
			description: `${reason}. Check the URL and that the receiver is up; the request may be retried safely with the same Delivery ID.`,
		});
	}
	// A receiver may echo what it got (headers included): its words are shown only without our secrets.
	const body = redactValue(parseBody(response.body, response.headers), secrets);
	if (response.statusCode < 200 || response.statusCode >= 300) {
		const text = redactText(bodyText(response.body), secrets).slice(0, 500);
		throw new NodeApiError(ctx.getNode(), { message: text, statusCode: response.statusCode } as JsonObject, {
			itemIndex,
			httpCode: String(response.statusCode),
			message: `${platform}: ${originOf(request.url)} answered ${response.statusCode}`,
			description: text === '' ? 'The receiver gave no reason.' : `The receiver said: ${text}`,
		});
	}
	return { statusCode: response.statusCode, body };
}

export class CouponPlatform implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Coupon Platform',
		name: 'couponPlatform',
		icon: 'file:couponPlatform.svg',
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["platform"] + ": " + $parameter["action"] }}',
		description: 'Deliver coupon codes and coupon events to marketing, CRM, messaging and commerce platforms',
		defaults: {
			name: 'Coupon Platform',
		},
		inputs: ['main'],
		outputs: ['main'],
		usableAsTool: true,
		// One entry per platform (the platform issues add theirs), then the store for Record Delivery.
		credentials: [
			{
				name: 'couponKitWebhookApi',
				required: true,
				displayOptions: { show: { platform: ['webhook'] } },
			},
			{
				name: 'couponKitStoreApi',
				required: true,
				testedBy: 'couponKitStoreConnectionTest',
				displayOptions: { show: { recordDelivery: [true] } },
			},
		],
		properties: [
			{
				displayName: 'Platform',
				name: 'platform',
				type: 'options',
				noDataExpression: true,
				options: platformList.map((p) => p.option),
				default: String(platformList[0].option.value),
			},
			...actionProperties,
			...platformList.flatMap((p) => p.properties),
			{
				displayName: 'Record Delivery',
				name: 'recordDelivery',
				type: 'boolean',
				default: false,
				description:
					'Whether to write a "delivered" event to the coupon ledger after a successful send, so Analytics counts deliveries',
			},
			{
				displayName: 'Delivered Code',
				name: 'deliveredCode',
				type: 'string',
				required: true,
				default: '={{ $json.code }}',
				displayOptions: { show: { recordDelivery: [true] } },
			},
			{
				displayName: 'Delivery Channel',
				name: 'deliveryChannel',
				type: 'string',
				default: 'webhook',
				placeholder: 'e.g. email',
				displayOptions: { show: { recordDelivery: [true] } },
			},
			{
				displayName: 'Recipient',
				name: 'recipient',
				type: 'string',
				default: '',
				placeholder: 'e.g. {{ $json.email }}',
				description: 'Who received the code, kept with the delivery',
				displayOptions: { show: { recordDelivery: [true] } },
			},
		],
	};

	methods = {
		credentialTest: { [STORE_CREDENTIAL_TEST]: testStoreCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const returnData: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const platformId = this.getNodeParameter('platform', itemIndex) as string;
				const platform = PLATFORMS[platformId];
				if (!platform) {
					throw new NodeOperationError(this.getNode(), `The platform "${platformId}" is not known`, { itemIndex });
				}
				const action = this.getNodeParameter('action', itemIndex) as string;
				const credentials = await this.getCredentials(platform.credential, itemIndex);
				const secrets = platform.secretsOf(credentials);
				const built = await platform.build.call(this, action, itemIndex, credentials);
				const response = await send(this, platformId, built.request, secrets, itemIndex);
				const json: IDataObject = {
					ok: true,
					platform: platformId,
					action,
					statusCode: response.statusCode,
					...(built.deliveryId ? { deliveryId: built.deliveryId } : {}),
					response: response.body as IDataObject,
				};
				if (this.getNodeParameter('recordDelivery', itemIndex, false) as boolean) {
					const engine = await getEngine(this, itemIndex);
					const recipient = this.getNodeParameter('recipient', itemIndex, '') as string;
					const event = await engine.markDelivered({
						code: this.getNodeParameter('deliveredCode', itemIndex) as string,
						channel: (this.getNodeParameter('deliveryChannel', itemIndex, 'webhook') as string) || 'webhook',
						...(recipient ? { recipient } : {}),
						metadata: { platform: platformId, ...(built.deliveryId ? { deliveryId: built.deliveryId } : {}) },
					});
					json.deliveredEventId = event.id;
				}
				returnData.push({ json, pairedItem: { item: itemIndex } });
			} catch (error) {
				const nodeError = toNodeError(this.getNode(), error, itemIndex, {
					code: 'Delivered Code',
					channel: 'Delivery Channel',
					recipient: 'Recipient',
					url: 'URL',
					headers: 'Headers',
				});
				if (this.continueOnFail()) {
					returnData.push({ json: { error: nodeError.message }, pairedItem: { item: itemIndex } });
					continue;
				}
				throw nodeError;
			}
		}
		return [returnData];
	}
}
