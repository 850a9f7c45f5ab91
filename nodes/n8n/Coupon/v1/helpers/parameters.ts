import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { InvalidArgumentError } from '../../../../../core/errors';
import type { OperationArgs, OperationOutput } from '../../../../../core/hosts/operations';

/** Display names of the parameters only this node has; the operation table names the rest. */
export const NODE_FIELD_LABELS: Record<string, string> = {
	defineWith: 'Define With',
	output: 'Output',
	binaryPropertyName: 'Put Output File in Field',
	fileName: 'File Name',
	returnAll: 'Return All',
	time: 'At (Local Time)',
	daysBefore: 'Days Before',
	schedule: 'Schedule Milestones',
	scope: 'Trigger Scope',
};

/** One of the values of an options parameter (an expression may give anything). */
export function choiceOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
	if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
	throw new InvalidArgumentError(field, `must be one of ${allowed.join(', ')} (got ${typeof value === 'string' ? `"${value.slice(0, 40)}"` : typeof value})`);
}

export function flagOf(value: unknown, field: string): boolean {
	if (typeof value === 'boolean') return value;
	throw new InvalidArgumentError(field, `must be true or false (got ${typeof value === 'string' ? `"${value.slice(0, 40)}"` : typeof value})`);
}

/** Text, or undefined when empty and not required. */
export function textOf(value: unknown, field: string, required = false): string | undefined {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
		if (required) throw new InvalidArgumentError(field, 'is required');
		return undefined;
	}
	if (typeof value !== 'string') throw new InvalidArgumentError(field, `must be text (got ${typeof value})`);
	return value.trim();
}

export function wholeNumberOf(value: unknown, field: string, min: number): number {
	if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
		throw new InvalidArgumentError(field, `must be a whole number of at least ${min}`);
	}
	return value;
}

/** `={{ $json.a.b }}`: a plain path into the current item, the most common expression by far. */
const JSON_PATH = /^=\{\{\s*\$json((?:\.[A-Za-z_$][\w$]*)+)\s*\}\}$/;

type Resolved = { ok: true; value: unknown } | { ok: false };

/**
 * Reads node parameters per item. Two shortcuts, both giving exactly what getNodeParameter gives:
 * a parameter without any expression has one value for all items, so it is read once; and an
 * expression that is only a `$json` path is read from the item directly. With 10,000 items the
 * expression engine would otherwise cost more than the coupon store itself.
 */
export class ItemParameters {
	private readonly constant = new Map<string, unknown>();
	private readonly items: INodeExecutionData[];
	// getNode() hands out a deep copy each call: take the raw parameters once.
	private readonly raw: INodeParameters;

	constructor(private readonly ctx: IExecuteFunctions) {
		this.items = ctx.getInputData();
		this.raw = ctx.getNode().parameters;
	}

	get<T>(name: string, itemIndex: number, fallback?: T): T {
		if (this.constant.has(name)) return this.constant.get(name) as T;
		const raw = this.raw[name];
		if (!hasExpression(raw)) {
			const value = this.ctx.getNodeParameter(name, itemIndex, fallback) as T;
			this.constant.set(name, value);
			return value;
		}
		const fast = this.resolve(raw, this.items[itemIndex]?.json);
		if (fast.ok) return fast.value as T;
		return this.ctx.getNodeParameter(name, itemIndex, fallback) as T;
	}

	/** Top-level parameters and the entries of collections, merged into one argument object. */
	args(itemIndex: number, names: readonly string[], collections: readonly string[] = []): OperationArgs {
		const args: OperationArgs = {};
		for (const collection of collections) Object.assign(args, this.get<IDataObject>(collection, itemIndex, {}));
		for (const name of names) args[name] = this.get<unknown>(name, itemIndex, null);
		return args;
	}

	private resolve(raw: unknown, json: IDataObject | undefined): Resolved {
		if (typeof raw === 'string') {
			if (!raw.startsWith('=')) return { ok: true, value: raw };
			const match = JSON_PATH.exec(raw);
			if (!match || json === undefined) return { ok: false };
			let value: unknown = json;
			for (const key of match[1].slice(1).split('.')) {
				// A missing step is left to n8n, which knows how to report it.
				if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, key)) return { ok: false };
				value = (value as IDataObject)[key];
			}
			return { ok: true, value };
		}
		if (raw === null || typeof raw !== 'object') return { ok: true, value: raw };
		if (Array.isArray(raw)) {
			const list: unknown[] = [];
			for (const entry of raw) {
				const r = this.resolve(entry, json);
				if (!r.ok) return r;
				list.push(r.value);
			}
			return { ok: true, value: list };
		}
		const out: IDataObject = {};
		for (const [key, value] of Object.entries(raw as IDataObject)) {
			const r = this.resolve(value, json);
			if (!r.ok) return r;
			out[key] = r.value as IDataObject[string];
		}
		return { ok: true, value: out };
	}
}

function hasExpression(raw: unknown): boolean {
	if (typeof raw === 'string') return raw.startsWith('=');
	if (raw === null || typeof raw !== 'object') return false;
	return Object.values(raw as Record<string, unknown>).some(hasExpression);
}

export function toItems(output: OperationOutput): INodeExecutionData[] {
	return (Array.isArray(output) ? output : [output]).map((json) => ({ json: json as IDataObject }));
}
