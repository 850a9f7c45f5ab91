import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { OperationArgs, OperationOutput } from '../../../../../core/hosts/operations';

/**
 * Reads node parameters per item, but a parameter without any expression has one value for all
 * items: it is read once. With 10,000 items this is most of the node's own cost.
 */
export class ItemParameters {
	private readonly constant = new Map<string, unknown>();

	constructor(private readonly ctx: IExecuteFunctions) {}

	get<T>(name: string, itemIndex: number, fallback?: T): T {
		if (this.constant.has(name)) return this.constant.get(name) as T;
		const value = this.ctx.getNodeParameter(name, itemIndex, fallback) as T;
		if (!hasExpression(this.ctx.getNode().parameters[name])) this.constant.set(name, value);
		return value;
	}

	/** Top-level parameters and the entries of collections, merged into one argument object. */
	args(itemIndex: number, names: readonly string[], collections: readonly string[] = []): OperationArgs {
		const args: OperationArgs = {};
		for (const collection of collections) Object.assign(args, this.get<IDataObject>(collection, itemIndex, {}));
		for (const name of names) args[name] = this.get<unknown>(name, itemIndex, null);
		return args;
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
