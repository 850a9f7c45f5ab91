// The shapes every platform module speaks. Requests are plain data so both hosts send them with their
// own HTTP helper and tests assert them exactly; failures become one typed error.

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One HTTP request as data: what to send, not how. `body` is sent byte for byte when it is a string. */
export interface PlatformRequest {
	method: HttpMethod;
	url: string;
	headers: Record<string, string>;
	body?: string | Record<string, unknown> | unknown[];
}

/** The answer a host hands back to a platform module after sending a `PlatformRequest`. */
export interface PlatformResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

/** Why an inbound delivery was refused; the host answers 401 and records nothing. */
export type VerificationFailure = 'MISSING_SIGNATURE' | 'MALFORMED_SIGNATURE' | 'TIMESTAMP_OUT_OF_RANGE' | 'SIGNATURE_MISMATCH';

export type VerificationResult =
	| { ok: true; timestamp: number | null }
	| { ok: false; reason: VerificationFailure; message: string };

/**
 * A platform failed: carries the HTTP status, the platform's own words and whether a retry may help.
 * Never carries a secret: modules build the message from the response, not from the request.
 */
export class PlatformError extends Error {
	readonly platform: string;
	readonly status: number | null;
	readonly platformMessage: string | null;
	readonly retryable: boolean;
	constructor(
		platform: string,
		message: string,
		options: { status?: number | null; platformMessage?: string | null; retryable?: boolean; cause?: unknown } = {},
	) {
		super(message);
		this.name = 'PlatformError';
		this.platform = platform;
		this.status = options.status ?? null;
		this.platformMessage = options.platformMessage ?? null;
		this.retryable = options.retryable ?? (this.status === null || this.status === 429 || this.status >= 500);
		if (options.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
	}
}
