// What every Coupon Kit node needs from the `coupon-kit-store` config node, and how it asks for it.
import type { Node, NodeAPI, NodeStatus } from 'node-red';
import type { CouponEngine, StoreOptions } from '../../../core/api';
import { InvalidArgumentError } from '../../../core/errors';
import { isError, redactError, redactText } from '../../../core/redact';

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
	/** The store's secrets (Redis password, URL password), for keeping them out of messages and statuses. */
	readonly secrets: readonly string[];
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

/**
 * A red ring that names the field when the error does: an operator can see what to fix. `secrets` are
 * replaced before the text is clipped (a clipped secret is still a leak).
 */
export function errorStatus(err: unknown, secrets: readonly string[] = []): NodeStatus {
	return { fill: 'red', shape: 'ring', text: clip(errorText(err, secrets)) };
}

export function errorText(err: unknown, secrets: readonly string[] = []): string {
	return redactText(isError(err) ? err.message : String(err), secrets);
}

export function clip(text: string, max = 64): string {
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The error for `done(err)` / `node.error(err)`: Node-RED logs it and hands it to catch nodes with its
 * own fields and its `cause`. Secrets are replaced and the cause chain is cut down to name, message and
 * code (a driver error carries its command and arguments, an ioredis AUTH error the password).
 */
export function asError(err: unknown, secrets: readonly string[] = []): Error {
	return redactError(err, secrets);
}
