// The platforms the `coupon platform` node can run. A platform is its config node type, the node
// property that points at it, and its actions; each action turns a message into one request as data.
import type { Node, NodeMessage } from 'node-red';
import { InvalidArgumentError } from '../../../core/errors';
import { DELIVERY_HEADER, buildWebhookRequest, WEBHOOK_PLATFORM_ID } from '../../../core/platforms/webhook';
import type { PlatformRequest } from '../../../core/platforms/types';
import type { WebhookConfigNode } from '../coupon-kit-webhook/coupon-kit-webhook';
import { WEBHOOK_CONFIG_TYPE } from '../coupon-kit-webhook/coupon-kit-webhook';

export interface ActionInput {
	msg: NodeMessage;
	/** Event name from the node (empty: taken from `msg.event`). */
	event: string;
}

export interface PlatformAction<TConfig extends Node<object>> {
	build(config: TConfig, input: ActionInput): PlatformRequest;
	/** The code this request carries, so a delivery can be written to the ledger. */
	codeOf?(input: ActionInput): string | null;
}

export interface NodeRedPlatform<TConfig extends Node<object> = Node<object>> {
	id: string;
	/** `coupon-kit-<platform id in kebab case>`. */
	configType: string;
	actions: Record<string, PlatformAction<TConfig>>;
	/** The config node's credential values that must never appear in messages, statuses or logs. */
	secretsOf(config: TConfig): string[];
}

const webhook: NodeRedPlatform<WebhookConfigNode> = {
	id: WEBHOOK_PLATFORM_ID,
	configType: WEBHOOK_CONFIG_TYPE,
	secretsOf(config) {
		return [config.credentials?.secret, config.credentials?.authorization].filter((s): s is string => typeof s === 'string' && s !== '');
	},
	actions: {
		send: {
			build(config, { msg, event }) {
				const name = event || (typeof msg.event === 'string' ? msg.event : '');
				const headers: Record<string, string> = {};
				if (config.credentials?.authorization) headers.Authorization = config.credentials.authorization;
				if (!config.url) throw new InvalidArgumentError('url', 'the webhook settings have no URL');
				return buildWebhookRequest({
					url: config.url,
					method: config.method,
					payload: msg.payload ?? {},
					secret: config.credentials?.secret || undefined,
					event: name || undefined,
					deliveryId: typeof msg.deliveryId === 'string' && msg.deliveryId !== '' ? msg.deliveryId : undefined,
					headers,
				});
			},
			codeOf({ msg }) {
				const payload = msg.payload;
				if (payload && typeof payload === 'object' && typeof (payload as { code?: unknown }).code === 'string') {
					return (payload as { code: string }).code;
				}
				return null;
			},
		},
	},
};

export const PLATFORMS: Record<string, NodeRedPlatform> = {
	[webhook.id]: webhook as unknown as NodeRedPlatform,
};

export { DELIVERY_HEADER };
