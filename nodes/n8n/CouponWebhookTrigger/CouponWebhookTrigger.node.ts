import type { INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { refusalBody } from '../../../core/hosts/webhookRequest';
import { DEFAULT_TOLERANCE_SECONDS } from '../../../core/platforms/webhook';
import { toNodeError } from '../shared/errors';
import { STORE_CREDENTIAL_TEST, testStoreCredential } from '../shared/store';
import { receive, Refusal, SETTING_LABELS } from './receive';

export class CouponWebhookTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Coupon Webhook Trigger',
		name: 'couponWebhookTrigger',
		icon: 'file:couponWebhookTrigger.svg',
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["events"].join(", ") }}',
		description:
			'Receives order and cart events from your shop, and starts the workflow when one earns or uses a coupon',
		defaults: {
			name: 'Coupon Webhook Trigger',
		},
		inputs: [],
		outputs: ['main'],
		credentials: [
			{
				name: 'couponKitStoreApi',
				required: true,
				testedBy: 'couponKitStoreConnectionTest',
			},
			{
				name: 'couponKitWebhookApi',
				required: true,
				displayOptions: { show: { acceptUnsigned: [false] } },
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'coupon-events',
			},
		],
		properties: [
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: [
					{
						name: 'Cart Activity',
						value: 'cartActivity',
						description: 'A cart changed: arms (or ends) its abandonment timer for the Coupon Trigger (Cart Abandoned)',
					},
					{
						name: 'Nth Purchase',
						value: 'nthPurchase',
						description: 'The order is the customer’s Nth purchase (counted once per order)',
					},
					{
						name: 'Order Used a Code',
						value: 'orderWithCode',
						description: 'The order carries coupon codes: each is redeemed and the result emitted',
					},
					{
						name: 'Purchase Over Threshold',
						value: 'purchaseOverThreshold',
						description: 'The order total reaches the amount set below',
					},
				],
				default: ['purchaseOverThreshold'],
			},
			{
				displayName: 'Payload Is',
				name: 'payloadKind',
				type: 'options',
				options: [
					{
						name: 'Told by the Request',
						value: 'auto',
						description: 'The "kind" field ("order" or "cart") or the X-Coupon-Kit-Event header says which',
					},
					{ name: 'Always an Order', value: 'order' },
					{ name: 'Always a Cart Event', value: 'cart' },
				],
				default: 'auto',
			},
			{
				displayName: 'Accept Unsigned Requests',
				name: 'acceptUnsigned',
				type: 'boolean',
				default: false,
				description:
					'Whether to take requests without checking their X-Coupon-Kit-Signature. Off: every request must be signed with the signing secret of the credential, or it is refused with 401.',
			},
			{
				displayName:
					'Unsigned requests are accepted: anyone who knows this webhook URL can post orders and carts, redeem codes and fire this workflow. Leave this off unless the URL is reachable only from your shop.',
				name: 'unsignedNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { acceptUnsigned: [true] } },
			},
			{
				displayName: 'Threshold Amount',
				name: 'thresholdAmount',
				type: 'number',
				default: 100,
				typeOptions: { minValue: 0, numberPrecision: 2 },
				description: 'Orders whose total reaches this amount qualify',
				displayOptions: { show: { events: ['purchaseOverThreshold'] } },
			},
			{
				displayName: 'Threshold Currency',
				name: 'thresholdCurrency',
				type: 'string',
				default: 'EUR',
				description: 'Orders in other currencies never qualify',
				displayOptions: { show: { events: ['purchaseOverThreshold'] } },
			},
			{
				displayName: 'Purchase Numbers',
				name: 'purchaseNumbers',
				type: 'string',
				default: '10',
				placeholder: 'e.g. 1, 5, 10',
				description: 'Comma-separated purchase counts that fire',
				displayOptions: { show: { events: ['nthPurchase'] } },
			},
			{
				displayName: 'Also Every Nth Purchase',
				name: 'purchaseEvery',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0 },
				description: 'Fire on every multiple of this count too (0 = off)',
				displayOptions: { show: { events: ['nthPurchase'] } },
			},
			{
				displayName: 'Abandoned After (Minutes)',
				name: 'abandonAfterMinutes',
				type: 'number',
				default: 60,
				typeOptions: { minValue: 1 },
				description: 'A cart without activity or checkout for this long fires Cart Abandoned in the Coupon Trigger',
				displayOptions: { show: { events: ['cartActivity'] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Default Currency',
						name: 'defaultCurrency',
						type: 'string',
						default: '',
						placeholder: 'e.g. EUR',
						description: 'Used when a payload carries no currency',
					},
					{
						displayName: 'Field Paths',
						name: 'fieldPaths',
						type: 'json',
						default: '{}',
						placeholder: '{ "total": "amounts.gross", "orderId": "data.number" }',
						description: 'Dotted paths for fields your shop names differently (orderId, total, currency, codes, cartId, value …)',
					},
					{
						displayName: 'Measure Before Discounts',
						name: 'beforeDiscounts',
						type: 'boolean',
						default: false,
						description: 'Whether the threshold is checked on the total before discounts, so a coupon cannot push an order below it',
					},
					{
						displayName: 'Measure Without Shipping',
						name: 'excludeShipping',
						type: 'boolean',
						default: false,
						description: 'Whether shipping is left out of the amount checked against the threshold',
					},
					{
						displayName: 'Measure Without Tax',
						name: 'excludeTax',
						type: 'boolean',
						default: false,
						description: 'Whether tax is left out of the amount checked against the threshold',
					},
					{
						displayName: 'Minimum Cart Value',
						name: 'minValue',
						type: 'number',
						default: 0,
						description: 'Carts worth less never count as abandoned',
					},
					{
						displayName: 'Output Cart Events',
						name: 'outputCartEvents',
						type: 'boolean',
						default: false,
						description:
							'Whether each tracked cart event also starts this workflow. Off: carts are only armed, and the Coupon Trigger fires when one is abandoned.',
					},
					{
						displayName: 'Quiet Days',
						name: 'quietDays',
						type: 'number',
						default: 0,
						description: 'No second abandoned-cart firing for the same customer within this many days',
					},
					{
						displayName: 'Redemption Channel',
						name: 'channel',
						type: 'string',
						default: '',
						placeholder: 'e.g. web',
						description: 'Channel recorded with redemptions of codes used on orders',
					},
					{
						displayName: 'Signature Tolerance (Seconds)',
						name: 'toleranceSeconds',
						type: 'number',
						default: DEFAULT_TOLERANCE_SECONDS,
						typeOptions: { minValue: 1 },
						description:
							'How far the signed timestamp may be from this server’s clock. Older deliveries are refused (401); the same signed delivery again within this time counts once.',
					},
					{
						displayName: 'Trigger Scope',
						name: 'scope',
						type: 'string',
						default: 'default',
						description:
							'Name of the trigger state to use. The Coupon Trigger that fires Cart Abandoned must use the same scope.',
					},
				],
			},
		],
	};

	methods = {
		credentialTest: { [STORE_CREDENTIAL_TEST]: testStoreCredential },
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		try {
			return await receive.call(this);
		} catch (error) {
			if (error instanceof Refusal) {
				this.getResponseObject().status(error.refusal.status).json(refusalBody(error.refusal));
				return { noWebhookResponse: true };
			}
			// Anything else is this workflow's problem (its settings, its store): n8n answers 500 and the sender retries.
			throw toNodeError(this.getNode(), error, 0, SETTING_LABELS);
		}
	}
}
