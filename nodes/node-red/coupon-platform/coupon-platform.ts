import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { InvalidArgumentError } from '../../../core/errors';
import { sendPlatformRequest } from '../lib/http';
import { asError, clip, errorStatus, findStore } from '../lib/store';
import { DELIVERY_HEADER, PLATFORMS } from './platforms';

interface PlatformNodeDef extends NodeDef {
	platform?: string;
	action?: string;
	event?: string;
	store?: string;
	recordDelivery?: boolean;
	timeout?: string | number;
	[configProperty: string]: unknown;
}

export default function (RED: NodeAPI): void {
	function CouponPlatform(this: Node, def: PlatformNodeDef): void {
		RED.nodes.createNode(this, def);
		setUp(this, def);
	}

	function setUp(node: Node, def: PlatformNodeDef): void {
		const platformId = def.platform || 'webhook';
		const platform = PLATFORMS[platformId];
		const actionName = def.action || 'send';
		const configId = typeof def[platformId] === 'string' ? (def[platformId] as string) : '';
		const config = configId ? (RED.nodes.getNode(configId) as Node<object> | null) : null;
		const timeoutMs = Number(def.timeout) > 0 ? Number(def.timeout) * 1000 : undefined;
		const store = def.recordDelivery ? findStore(RED, def.store) : null;
		// Everything this node shows is cleared of the platform's credentials and the store's.
		const secrets = (): string[] => [...(platform && config ? platform.secretsOf(config) : []), ...(store?.secrets ?? [])];

		if (!platform) node.status({ fill: 'red', shape: 'ring', text: `platform: unknown "${platformId}"` });
		else if (!config) node.status({ fill: 'red', shape: 'ring', text: RED._('coupon-platform.status.noConfig') });
		else node.status({});

		node.on('input', (msg, send, done) => {
			void (async () => {
				if (!platform) throw new InvalidArgumentError('platform', `"${platformId}" is not a known platform`);
				const action = platform.actions[actionName];
				if (!action) throw new InvalidArgumentError('action', `${platformId} has no action "${actionName}"`);
				if (!config) throw new InvalidArgumentError(platformId, `select the ${platform.configType} settings`);
				const input = { msg, event: def.event ?? '' };
				const request = action.build(config, input);
				node.status({ fill: 'blue', shape: 'dot', text: RED._('coupon-platform.status.sending') });
				const response = await sendPlatformRequest(platformId, request, timeoutMs, secrets());

				const code = action.codeOf?.(input) ?? null;
				let delivered: string | null = null;
				if (def.recordDelivery && code) {
					if (store) {
						const engine = await store.engine();
						const event = await engine.markDelivered({ code, channel: platformId, recipient: new URL(request.url).host });
						delivered = event.id;
					}
				}
				const out: NodeMessage = msg;
				out.payload = {
					ok: true,
					platform: platformId,
					action: actionName,
					statusCode: response.statusCode,
					deliveryId: request.headers[DELIVERY_HEADER] ?? null,
					response: response.body,
					deliveredEventId: delivered,
				};
				out.statusCode = response.statusCode;
				node.status({ fill: 'green', shape: 'dot', text: clip(`${response.statusCode} ${platformId}`) });
				send(out);
				done();
			})().catch((err: unknown) => {
				node.status(errorStatus(err, secrets()));
				done(asError(err, secrets()));
			});
		});

		node.on('close', () => node.status({}));
	}

	RED.nodes.registerType('coupon platform', CouponPlatform);
}
