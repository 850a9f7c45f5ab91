// What every Coupon Kit node needs from the `coupon-kit-store` config node, and how it asks for it.
import type { Node, NodeAPI, NodeStatus } from 'node-red';
import type { CouponEngine, StoreOptions } from '../../../core/api';
import { InvalidArgumentError } from '../../../core/errors';

export const STORE_TYPE = 'coupon-kit-store';

export interface StoreCredentials {
	url?: string;
	username?: string;
	password?: string;
}

export interface CouponKitStoreNode extends Node<StoreCredentials> {
	/** The shared open engine; rejects with the settings or connection error (a later call tries again). */
	engine(): Promise<CouponEngine>;
	/** The validated settings (for the trigger state that lives beside the engine); throws the settings error. */
	storeOptions(): StoreOptions;
	/** Where the data lives, without secrets: a file path or a Redis host. */
	readonly where: string;
}

export function findStore(RED: NodeAPI, id: string | undefined): CouponKitStoreNode | null {
	if (!id) return null;
	const node = RED.nodes.getNode(id) as CouponKitStoreNode | null;
	return node && typeof node.engine === 'function' ? node : null;
}

/** Thrown on input when the node has no store selected (or the store node is disabled). */
export function missingStore(): InvalidArgumentError {
	return new InvalidArgumentError('store', 'select a Coupon Kit store in the node settings');
}

/** A red ring that names the field when the error does: an operator can see what to fix. */
export function errorStatus(err: unknown): NodeStatus {
	return { fill: 'red', shape: 'ring', text: clip(errorText(err)) };
}

export function errorText(err: unknown): string {
	if (err instanceof Error) return err.message;
	return String(err);
}

export function clip(text: string, max = 64): string {
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Node-RED wants Error instances in `done(err)`; other throwables are wrapped. */
export function asError(err: unknown): Error {
	return err instanceof Error ? err : new Error(String(err));
}
