// The part of node-red-node-test-helper (plain JS, no types of its own) these tests use.
declare module 'node-red-node-test-helper' {
	import type { EventEmitter } from 'node:events';

	interface TestNode extends EventEmitter {
		id: string;
		type: string;
		receive(msg: Record<string, unknown>): void;
		status(status: unknown): void;
		credentials: Record<string, unknown>;
	}

	type FlowNode = { id: string; type: string; [key: string]: unknown };
	type NodeModule = (RED: never) => unknown;

	interface NodeTestHelper {
		init(runtimePath?: string, userSettings?: Record<string, unknown>): void;
		settings(settings: Record<string, unknown>): Record<string, unknown>;
		load(nodes: NodeModule | NodeModule[], flow: FlowNode[], credentials?: Record<string, Record<string, unknown>>): Promise<void>;
		unload(): Promise<void>;
		getNode(id: string): TestNode | null;
		startServer(): Promise<void>;
		stopServer(): Promise<void>;
		setFlows(flow: FlowNode[], type?: string, credentials?: Record<string, Record<string, unknown>>): Promise<void>;
		url(): string;
		log(): { args: unknown[][]; calledWithMatch(...args: unknown[]): boolean };
	}

	const helper: NodeTestHelper;
	export default helper;
	export type { FlowNode, NodeModule, TestNode, NodeTestHelper };
}
