// Engine errors → n8n errors tied to their item, with a description that says what to change.
import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import {
	ConflictError,
	CouponKitError,
	IdempotencyConflictError,
	InvalidArgumentError,
	NotFoundError,
	StoreError,
} from '../../../core/errors';
import { FIELD_LABELS } from '../../../core/hosts/operations';
import { redactError } from '../../../core/redact';

export function problemOf(error: InvalidArgumentError): string {
	const prefix = `${error.field}: `;
	return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

export function fieldLabel(field: string, labels: Record<string, string> = {}): string {
	const root = field.split(/[.[]/)[0];
	return labels[field] ?? FIELD_LABELS[field] ?? labels[root] ?? FIELD_LABELS[root] ?? field;
}

/**
 * Turns anything an operation threw into an n8n error for `itemIndex`. Errors n8n already made
 * (NodeOperationError, NodeApiError) pass through.
 */
export function toNodeError(
	node: INode,
	error: unknown,
	itemIndex: number,
	labels: Record<string, string> = {},
): Error {
	if (error instanceof NodeOperationError || error instanceof NodeApiError) return error;
	if (error instanceof InvalidArgumentError) {
		const label = fieldLabel(error.field, labels);
		return new NodeOperationError(node, `${label}: ${problemOf(error)}`, {
			itemIndex,
			description: `Check the "${label}" parameter${itemIndex > 0 ? ` for item ${itemIndex}` : ''}. Nothing was written.`,
		});
	}
	if (error instanceof IdempotencyConflictError) {
		return new NodeOperationError(node, error.message, {
			itemIndex,
			description: 'Use a new Idempotency Key for a new request (for example include the order ID in it).',
		});
	}
	if (error instanceof NotFoundError) {
		return new NodeOperationError(node, error.message, {
			itemIndex,
			description: 'Check the ID, or create it first (Campaign → Create). Campaigns live in the store of the selected credential.',
		});
	}
	if (error instanceof ConflictError) {
		return new NodeOperationError(node, error.message, {
			itemIndex,
			description: 'Another change got there first. Re-run the node, or use Update instead of Create.',
		});
	}
	if (error instanceof StoreError) {
		return new NodeOperationError(node, `The coupon store failed: ${error.message}`, {
			itemIndex,
			description: error.retryable
				? 'The store could not be reached or was busy. This may pass on a retry: turn on "Retry On Fail" in the node settings, and check that the store (SQLite file or Redis) is healthy.'
				: 'Check the Coupon Kit Store credential and the health of the store (disk space and permissions for the SQLite file; memory and persistence for Redis).',
		});
	}
	if (error instanceof CouponKitError) {
		return new NodeOperationError(node, error.message, { itemIndex });
	}
	// Driver errors carry what they were doing (an ioredis error its command and arguments): only
	// name, message and the causes' messages are handed to n8n, which shows and stores them.
	if (error instanceof Error) return new NodeOperationError(node, redactError(error, []), { itemIndex });
	return new NodeOperationError(node, String(error), { itemIndex });
}
