// Sends a platform request (plain data from core/platforms) with the runtime's fetch.
import type { PlatformRequest, PlatformResponse } from '../../../core/platforms/types';
import { PlatformError } from '../../../core/platforms/types';
import { isError, redactCause, redactText, redactValue } from '../../../core/redact';

export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * `secrets` (the credentials the request carries) never come back out: a receiver may echo what it got,
 * so its answer — body, headers, error text — is handed on without them, and so is a network error.
 */
export async function sendPlatformRequest(
	platform: string,
	request: PlatformRequest,
	timeoutMs = DEFAULT_TIMEOUT_MS,
	secrets: readonly string[] = [],
): Promise<PlatformResponse> {
	const body =
		request.body === undefined ? undefined : typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
	let response: Response;
	try {
		response = await fetch(request.url, {
			method: request.method,
			headers: request.headers,
			body,
			redirect: 'manual',
			signal: AbortSignal.timeout(timeoutMs),
		});
	} catch (err) {
		const timedOut = isError(err) && (err.name === 'TimeoutError' || err.name === 'AbortError');
		const reason = timedOut ? `no answer within ${timeoutMs} ms` : redactText(describeNetworkError(err), secrets);
		throw new PlatformError(platform, `${platform}: ${reason} (${request.method} ${originOf(request.url)})`, {
			retryable: true,
			cause: redactCause(err, secrets),
		});
	}
	const text = redactText(await response.text(), secrets);
	const headers: Record<string, string> = {};
	response.headers.forEach((value, name) => {
		headers[name] = redactText(value, secrets);
	});
	const parsed = redactValue(parseBody(text, headers['content-type']), secrets);
	if (response.status < 200 || response.status >= 300) {
		const platformMessage = text.slice(0, 500) || null;
		throw new PlatformError(platform, `${platform}: ${response.status} ${response.statusText} from ${originOf(request.url)}`, {
			status: response.status,
			platformMessage,
		});
	}
	return { statusCode: response.status, headers, body: parsed };
}

function parseBody(text: string, contentType: string | undefined): unknown {
	if (text === '') return null;
	if (contentType && /\bjson\b/i.test(contentType)) {
		try {
			return JSON.parse(text) as unknown;
		} catch {
			return text;
		}
	}
	return text;
}

function describeNetworkError(err: unknown): string {
	const cause = isError(err) ? (err as { cause?: unknown }).cause : undefined;
	const code = cause && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : null;
	if (code) return `could not connect (${code})`;
	return isError(err) ? err.message : String(err);
}

/** Only scheme and host in messages: paths and query strings may carry tokens. */
function originOf(url: string): string {
	try {
		return new URL(url).origin;
	} catch {
		return 'the URL';
	}
}
