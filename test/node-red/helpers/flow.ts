// Flows for the node tests: a store of each kind, a coupon node under test, helpers that catch
// what comes out, and promises that resolve with the message so tests assert outside callbacks.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import helper, { type FlowNode, type TestNode } from 'node-red-node-test-helper';
import catchNode from '@node-red/nodes/core/common/25-catch.js';
import completeNode from '@node-red/nodes/core/common/24-complete.js';
import storeNode from '../../../nodes/node-red/coupon-kit-store/coupon-kit-store';

export { helper };
export type { FlowNode, TestNode };

export type Msg = Record<string, unknown> & { payload?: unknown; error?: { message: string; source?: { id: string } } };

export interface StoreKind {
	name: 'sqlite' | 'redis';
	/** The `coupon-kit-store` node (id `store`) and its credentials. */
	node(): FlowNode;
	credentials(): Record<string, unknown>;
	cleanup(): void;
}

export function sqliteStore(): StoreKind {
	const dir = mkdtempSync(join(tmpdir(), 'ck-nr-'));
	return {
		name: 'sqlite',
		node: () => ({ id: 'store', type: 'coupon-kit-store', name: 'test store', mode: 'embedded', path: join(dir, 'coupons.db') }),
		credentials: () => ({}),
		cleanup: () => rmSync(dir, { recursive: true, force: true }),
	};
}

export function redisStore(): StoreKind {
	const url = process.env.REDIS_URL;
	if (!url) throw new Error('REDIS_URL is not set: run the tests through jest (its globalSetup starts redis-server)');
	const prefix = `ck-nr-${randomUUID().slice(0, 8)}:`;
	return {
		name: 'redis',
		node: () => ({ id: 'store', type: 'coupon-kit-store', name: 'test store', mode: 'redis', keyPrefix: prefix }),
		credentials: () => ({ url }),
		cleanup: () => undefined,
	};
}

export const STORE_KINDS: Array<() => StoreKind> = [sqliteStore, redisStore];

/**
 * Resolves with the first message any of the nodes receives, keyed by node id. Node-RED keeps input
 * listeners in its own list, where `once` wrappers cannot be removed by the original function: add
 * and remove the very same function instead.
 */
export function firstOf(nodes: Record<string, TestNode>): Promise<{ id: string; msg: Msg }> {
	return new Promise((resolve) => {
		const listeners: Array<[TestNode, (msg: Msg) => void]> = [];
		for (const [id, node] of Object.entries(nodes)) {
			const listener = (msg: Msg): void => {
				for (const [n, l] of listeners) n.removeListener('input', l);
				resolve({ id, msg });
			};
			listeners.push([node, listener]);
			node.on('input', listener);
		}
	});
}

/** Resolves with the next message the node receives (a `helper` node wired after the node under test). */
export async function nextMessage(node: TestNode): Promise<Msg> {
	return (await firstOf({ node })).msg;
}

/** The next message the node under test sends, or the error a `catch` node sees, whichever comes first. */
export async function outcome(out: TestNode, caught: TestNode): Promise<{ msg?: Msg; error?: Msg }> {
	const first = await firstOf({ out, caught });
	return first.id === 'out' ? { msg: first.msg } : { error: first.msg };
}

/** Resolves with the next status the node sets (after `receive`). */
export function nextStatus(node: TestNode, matching: (s: { fill?: string; shape?: string; text?: string }) => boolean): Promise<{ fill?: string; shape?: string; text?: string }> {
	return new Promise((resolve) => {
		const listener = (call: { args: Array<{ fill?: string; shape?: string; text?: string }> }): void => {
			const status = call.args[0];
			if (status && typeof status === 'object' && matching(status)) {
				node.off('call:status', listener);
				resolve(status);
			}
		};
		node.on('call:status', listener);
	});
}

/**
 * Puts the nodes on one tab beside the global config nodes. Position matters: Node-RED treats a node
 * without x/y as a config node (and a config node whose property equals its own id as circular).
 */
export function inTab(nodes: FlowNode[], config: FlowNode[] = []): FlowNode[] {
	return [{ id: 'tab', type: 'tab', label: 'test' }, ...nodes.map((n, i) => ({ z: 'tab', x: 100, y: 40 * (i + 1), ...n })), ...config];
}

export const catchAll = (wires: string[]): FlowNode => ({ id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [wires] });

export const modules = { storeNode, catchNode, completeNode };

export function tmpUserDir(): string {
	return mkdtempSync(join(tmpdir(), 'ck-nr-user-'));
}
