// Small builders for workflow JSON in tests.
import type { IConnections, INode, INodeParameters } from 'n8n-workflow';

import { PACKAGE, TestNodeTypes } from './harness';
import type { WorkflowJson } from './harness';
import { Coupon } from '../../../nodes/n8n/Coupon/Coupon.node';
import { CouponPlatform } from '../../../nodes/n8n/CouponPlatform/CouponPlatform.node';
import { CouponTrigger } from '../../../nodes/n8n/CouponTrigger/CouponTrigger.node';
import { CouponWebhookTrigger } from '../../../nodes/n8n/CouponWebhookTrigger/CouponWebhookTrigger.node';

export const COUPON = `${PACKAGE}.coupon`;
export const PLATFORM = `${PACKAGE}.couponPlatform`;
export const WEBHOOK_TRIGGER = `${PACKAGE}.couponWebhookTrigger`;
export const TRIGGER = `${PACKAGE}.couponTrigger`;
export const STORE_REF = { couponKitStoreApi: { id: 'store-1', name: 'Test store' } };

let counter = 0;

export function node(name: string, type: string, parameters: INodeParameters, extra: Partial<INode> = {}): INode {
	counter += 1;
	return {
		id: `node-${counter}`,
		name,
		type,
		typeVersion: 1,
		position: [counter * 200, 0],
		parameters,
		...extra,
	};
}

export function couponNode(name: string, parameters: INodeParameters, extra: Partial<INode> = {}): INode {
	return node(name, COUPON, parameters, { credentials: STORE_REF, ...extra });
}

/** Nodes connected one after the other through their first output. */
export function chain(...nodes: INode[]): WorkflowJson {
	const connections: IConnections = {};
	for (let i = 0; i + 1 < nodes.length; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { nodes, connections };
}

export function couponTypes(): TestNodeTypes {
	return new TestNodeTypes().add(COUPON, new Coupon());
}

export function platformTypes(): TestNodeTypes {
	return new TestNodeTypes().add(COUPON, new Coupon()).add(PLATFORM, new CouponPlatform());
}

/** Every node of the package. */
export function allTypes(): TestNodeTypes {
	return platformTypes().add(WEBHOOK_TRIGGER, new CouponWebhookTrigger()).add(TRIGGER, new CouponTrigger());
}
