import type { Node, NodeAPI, NodeDef, NodeMessage, NodeStatus } from 'node-red';
import { InvalidArgumentError } from '../../../core/errors';
import { isCouponOperation, type OperationOutput, runCouponOperation } from '../../../core/hosts/operations';
import { evaluateRows, isPlainObject, type TypedValue } from '../lib/props';
import { missingStore, asError, clip, errorStatus, findStore } from '../lib/store';
import { describeOperations } from './fields';

/** `operation` takes this value when the message says what to do. */
export const FROM_MESSAGE = 'msg';

interface CouponNodeDef extends NodeDef {
	store?: string;
	resource?: string;
	operation?: string;
	args?: TypedValue[];
}

export default function (RED: NodeAPI): void {
	function Coupon(this: Node, def: CouponNodeDef): void {
		RED.nodes.createNode(this, def);
		setUp(this, def);
	}

	function setUp(node: Node, def: CouponNodeDef): void {
		const rows = Array.isArray(def.args) ? def.args : [];
		const store = findStore(RED, def.store);
		node.status(store ? {} : { fill: 'red', shape: 'ring', text: RED._('coupon.status.noStore') });

		node.on('input', (msg, send, done) => {
			void (async () => {
				const { resource, operation } = pick(def, msg);
				node.status({ fill: 'blue', shape: 'dot', text: `${resource}.${operation}` });
				if (!store) throw missingStore();
				// msg.payload fills the fields; what the node sets (or reads from msg/flow/global) wins.
				const args: Record<string, unknown> = isPlainObject(msg.payload) ? { ...msg.payload } : {};
				await evaluateRows(RED, node, msg, rows, args);
				const engine = await store.engine();
				const result = await runCouponOperation(engine, resource, operation, args);
				node.status(resultStatus(resource, operation, result));
				const out: NodeMessage = msg;
				out.payload = result;
				send(out);
				done();
			})().catch((err: unknown) => {
				node.status(errorStatus(err, store?.secrets));
				done(asError(err, store?.secrets));
			});
		});

		node.on('close', () => node.status({}));
	}

	function pick(def: CouponNodeDef, msg: NodeMessage): { resource: string; operation: string } {
		let resource = def.resource || 'code';
		let operation = def.operation || 'issue';
		if (operation === FROM_MESSAGE) {
			const given = msg.operation;
			if (typeof given !== 'string' || given.trim() === '') {
				throw new InvalidArgumentError('operation', 'set msg.operation, e.g. "code.redeem"');
			}
			const dot = given.indexOf('.');
			if (dot > 0) {
				resource = given.slice(0, dot).trim();
				operation = given.slice(dot + 1).trim();
			} else {
				operation = given.trim();
				if (typeof msg.resource === 'string' && msg.resource !== '') resource = msg.resource;
			}
		}
		if (!isCouponOperation(resource, operation)) {
			throw new InvalidArgumentError('operation', `"${resource}.${operation}" is not a Coupon operation`);
		}
		return { resource, operation };
	}

	/** Rejections are data, not failures: a green ring says what was refused. */
	function resultStatus(resource: string, operation: string, result: OperationOutput): NodeStatus {
		if (Array.isArray(result)) return { fill: 'green', shape: 'dot', text: `${operation}: ${result.length}` };
		if (result.ok === false || result.valid === false) {
			return { fill: 'green', shape: 'ring', text: clip(`${operation}: ${String(result.reason)}`) };
		}
		if (result.found === false) return { fill: 'green', shape: 'ring', text: `${operation}: not found` };
		const shown = resource === 'code' && typeof result.code === 'string' ? `${operation}: ${result.code}` : operation;
		if (typeof result.count === 'number') return { fill: 'green', shape: 'dot', text: `${operation}: ${result.count}` };
		return { fill: 'green', shape: 'dot', text: clip(shown) };
	}

	RED.nodes.registerType('coupon', Coupon);

	// The editor draws the form from the operation table; reading it needs the same right as reading flows.
	RED.httpAdmin.get('/coupon-kit/operations', RED.auth.needsPermission('flows.read'), (_req, res) => {
		res.json(describeOperations());
	});
}
