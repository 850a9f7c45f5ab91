// Flows for the node tests: a store of each kind, a coupon node under test, helpers that catch
// what comes out, and promises that resolve with the message so tests assert outside callbacks.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import helper, { type FlowNode, type TestNode } from 'node-red-node-test-helper';
import catchNode from '@node-red/nodes/core/common/25-catch.js';
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

/** Resolves with the next message the node receives (a `helper` node wired after the node under test). */
export function nextMessage(node: TestNode): Promise<Msg> {
	return new Promise((resolve) => node.once('input', (msg: Msg) => resolve(msg)));
}

/** The next message the node under test sends, or the error a `catch` node sees, whichever comes first. */
export function outcome(out: TestNode, caught: TestNode): Promise<{ msg?: Msg; error?: Msg }> {
	return new Promise((resolve) => {
		const onMsg = (msg: Msg): void => {
			caught.off('input', onErr);
			resolve({ msg });
		};
		const onErr = (msg: Msg): void => {
			out.off('input', onMsg);
			resolve({ error: msg });
		};
		out.once('input', onMsg);
		caught.once('input', onErr);
	});
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

/** Puts the nodes on one tab (catch nodes need one) beside the global config nodes. */
export function inTab(nodes: FlowNode[], config: FlowNode[] = []): FlowNode[] {
	return [{ id: 'tab', type: 'tab', label: 'test' }, ...nodes.map((n) => ({ z: 'tab', ...n })), ...config];
}

export const catchAll = (wires: string[]): FlowNode => ({ id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [wires] });

export const modules = { storeNode, catchNode };

export function tmpUserDir(): string {
	return mkdtempSync(join(tmpdir(), 'ck-nr-user-'));
}
