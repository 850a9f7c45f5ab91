import type { ICredentialType, INodeProperties } from 'n8n-workflow';

// The signing secret of Coupon Kit's outbound webhook; the node signs, so there is no `authenticate`.
export class CouponKitWebhookApi implements ICredentialType {
	name = 'couponKitWebhookApi';

	displayName = 'Coupon Kit Webhook API';

	documentationUrl = 'https://github.com/coupon-kit/n8n-nodes-coupon-kit/blob/main/docs/n8n.md#signed-webhooks';

	icon = 'file:couponKit.svg' as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Signing Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Shared with the receiver, who checks the X-Coupon-Kit-Signature header with it. Leave empty to send unsigned requests; a Coupon Webhook Trigger with an empty secret refuses every request.',
		},
		{
			displayName: 'Authorization Header',
			name: 'authorization',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'e.g. Bearer abc123',
			description: 'Sent as the Authorization header when the receiver asks for one; leave empty otherwise',
		},
	];
}
