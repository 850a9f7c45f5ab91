// Failures throw these; rejections of a code are values (see core/reasons.ts).

export class CouponKitError extends Error {
	readonly code: string;
	constructor(code: string, message: string) {
		super(message);
		this.name = 'CouponKitError';
		this.code = code;
	}
}

/** A bad argument: names the field and what is wrong with it. Nothing was written. */
export class InvalidArgumentError extends CouponKitError {
	readonly field: string;
	constructor(field: string, problem: string) {
		super('INVALID_ARGUMENT', `${field}: ${problem}`);
		this.name = 'InvalidArgumentError';
		this.field = field;
	}
}

export class NotFoundError extends CouponKitError {
	constructor(what: string, id: string) {
		super('NOT_FOUND', `${what} "${id}" does not exist`);
		this.name = 'NotFoundError';
	}
}

export class ConflictError extends CouponKitError {
	constructor(message: string) {
		super('CONFLICT', message);
		this.name = 'ConflictError';
	}
}

/** The same idempotency key came with different arguments. Nothing was written. */
export class IdempotencyConflictError extends CouponKitError {
	readonly idempotencyKey: string;
	constructor(key: string) {
		super(
			'IDEMPOTENCY_CONFLICT',
			`idempotencyKey "${key}" was already used with different arguments; use a new key for a new request`,
		);
		this.name = 'IdempotencyConflictError';
		this.idempotencyKey = key;
	}
}

/** The store could not be reached or answered in a broken way. `retryable` says whether trying again may help. */
export class StoreError extends CouponKitError {
	readonly retryable: boolean;
	constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
		super('STORE_ERROR', message);
		this.name = 'StoreError';
		this.retryable = retryable;
		if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
	}
}
