// Typed-input values (str, num, json, msg.x, flow.x, JSONata, …) evaluated against a message.
import type { Node, NodeAPI, NodeMessage } from 'node-red';
import { InvalidArgumentError } from '../../../core/errors';

export interface TypedValue {
	name: string;
	type: string;
	value: string;
}

/** Types whose empty text means "not given" rather than "", 0 or false. */
const LITERAL_TYPES = new Set(['str', 'num', 'json', 'bool', 'choice', 'list']);

/** Evaluates each row into `target[name]`; rows with no value are left out so defaults apply. */
export async function evaluateRows(
	RED: NodeAPI,
	node: Node,
	msg: NodeMessage,
	rows: readonly TypedValue[],
	target: Record<string, unknown>,
): Promise<void> {
	for (const row of rows) {
		if (!row || typeof row.name !== 'string' || row.name === '') continue;
		if (LITERAL_TYPES.has(row.type) && (row.value === '' || row.value === undefined)) continue;
		const type = row.type === 'choice' || row.type === 'list' ? 'str' : row.type;
		const value = await evaluate(RED, node, msg, row.value, type, row.name);
		if (value !== undefined) target[row.name] = value;
	}
}

function evaluate(RED: NodeAPI, node: Node, msg: NodeMessage, value: string, type: string, field: string): Promise<unknown> {
	return new Promise((resolve, reject) => {
		try {
			RED.util.evaluateNodeProperty(value, type, node, msg, (err, result: unknown) => {
				if (err) reject(new InvalidArgumentError(field, `could not read ${type} "${value}": ${err.message}`));
				else resolve(result);
			});
		} catch (err) {
			reject(new InvalidArgumentError(field, `could not read ${type} "${value}": ${err instanceof Error ? err.message : String(err)}`));
		}
	});
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}
