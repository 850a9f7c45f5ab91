import type { Node, NodeAPI, NodeDef } from 'node-red';

export const WEBHOOK_CONFIG_TYPE = 'coupon-kit-webhook';

interface WebhookConfigDef extends NodeDef {
	url?: string;
	method?: string;
}

export interface WebhookCredentials {
	/** Signs every delivery (X-Coupon-Kit-Signature); empty sends unsigned. */
	secret?: string;
	/** Sent as the Authorization header when set (e.g. `Bearer …`). */
	authorization?: string;
}

export interface WebhookConfigNode extends Node<WebhookCredentials> {
	url: string;
	method: 'POST' | 'PUT' | 'PATCH';
}

export default function (RED: NodeAPI): void {
	function CouponKitWebhook(this: WebhookConfigNode, def: WebhookConfigDef): void {
		RED.nodes.createNode(this, def);
		this.url = (def.url ?? '').trim();
		this.method = def.method === 'PUT' || def.method === 'PATCH' ? def.method : 'POST';
	}

	RED.nodes.registerType<WebhookConfigNode, WebhookConfigDef, object, WebhookCredentials>(WEBHOOK_CONFIG_TYPE, CouponKitWebhook, {
		credentials: {
			secret: { type: 'password' },
			authorization: { type: 'password' },
		},
	});
}
