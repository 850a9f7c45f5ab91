/**
 * Keeps secrets out of what Coupon Kit shows: error messages, node outputs, statuses and logs.
 * Both hosts and the Redis trigger store use it; a secret is only ever replaced, never logged.
 *
 * Exports:
 * - `secretForms(secrets)`: every form a secret may come back in — as given, URL-encoded, base64 and
 *   base64url, and for an Authorization value its credentials too (`Bearer t` → `t`; `Basic b64` →
 *   `b64`, `user:pass` and `pass`). Values shorter than `MIN_SECRET_LENGTH` are left alone (replacing
 *   every "a" would make messages unreadable and hide nothing).
 * - `redactText(text, secrets)`: the text with every form replaced by `REDACTED`.
 * - `redactValue(value, secrets)`: a copy of JSON-like data (objects, arrays, strings) with every
 *   string and key redacted; other values are kept.
 * - `redactError(error, secrets)`: an error that is safe to hand on: same class and name, message,
 *   stack and own text properties redacted; its cause chain reduced to name, message and code. Driver
 *   errors carry the command they failed on with its arguments (an ioredis AUTH error carries the
 *   password), so a cause is never passed on as it came, whether or not the secrets are known.
 * - `redactCause(cause, secrets)`: that reduction alone, for building a new error around a cause.
 * - `storeSecrets(options)`: the secrets in store options (the Redis password, and the password of a
 *   Redis URL as typed and decoded).
 * - `isError(value)`: an Error, also one made in another realm (a vm context, as under jest).
 */
import { types } from 'node:util';

import type { StoreOptions } from './api';

export const REDACTED = '***';
export const MIN_SECRET_LENGTH = 4;
/** How many causes deep an error chain is kept. */
const MAX_CAUSES = 5;

function encodings(value: string): string[] {
	const bytes = Buffer.from(value, 'utf8');
	const base64 = bytes.toString('base64');
	return [value, encodeURIComponent(value), base64, base64.replace(/=+$/, ''), bytes.toString('base64url')];
}

/** `Basic <b64>` → `user:pass` when the token really is base64 of text with a colon. */
function basicCredentials(token: string): string | null {
	if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return null;
	const decoded = Buffer.from(token, 'base64');
	if (decoded.toString('base64').replace(/=+$/, '') !== token.replace(/=+$/, '')) return null;
	const text = decoded.toString('utf8');
	return text.includes(':') && !text.includes('\uFFFD') ? text : null;
}

export function secretForms(secrets: readonly unknown[]): string[] {
	const forms = new Set<string>();
	const add = (value: string): void => {
		if (value.length < MIN_SECRET_LENGTH) return;
		for (const form of encodings(value)) if (form.length >= MIN_SECRET_LENGTH) forms.add(form);
	};
	for (const secret of secrets) {
		if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
		add(secret);
		const auth = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)\s+(\S.*)$/.exec(secret.trim());
		if (!auth) continue;
		const token = auth[2].trim();
		add(token);
		if (auth[1].toLowerCase() === 'basic') {
			const pair = basicCredentials(token);
			if (pair) {
				add(pair);
				add(pair.slice(pair.indexOf(':') + 1));
			}
		}
	}
	// Longest first, so a form that contains another is replaced whole.
	return [...forms].sort((a, b) => b.length - a.length);
}

function replaceForms(text: string, forms: readonly string[]): string {
	let out = text;
	for (const form of forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
	return out;
}

export function redactText(text: string, secrets: readonly unknown[]): string {
	return replaceForms(text, secretForms(secrets));
}

/** Errors from another realm (a vm context, as under jest) are errors too. */
export function isError(value: unknown): value is Error {
	return value instanceof Error || types.isNativeError(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null) return false;
	const proto = Object.getPrototypeOf(value) as unknown;
	return proto === Object.prototype || proto === null;
}

function copyValue(value: unknown, forms: readonly string[], seen: WeakSet<object>): unknown {
	if (typeof value === 'string') return replaceForms(value, forms);
	if (Array.isArray(value)) {
		if (seen.has(value)) return '[circular]';
		seen.add(value);
		return value.map((v) => copyValue(v, forms, seen));
	}
	if (isError(value)) return reduceCause(value, forms, 0);
	if (isPlainObject(value)) {
		if (seen.has(value)) return '[circular]';
		seen.add(value);
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(value)) out[replaceForms(k, forms)] = copyValue(v, forms, seen);
		return out;
	}
	return value;
}

export function redactValue<T>(value: T, secrets: readonly unknown[]): T {
	const forms = secretForms(secrets);
	if (forms.length === 0 && typeof value !== 'object') return value;
	return copyValue(value, forms, new WeakSet()) as T;
}

/** Name, message and code of an error (redacted), and the same of its causes; nothing else. */
function reduceCause(cause: unknown, forms: readonly string[], depth: number): unknown {
	if (cause === undefined || cause === null) return cause;
	if (!isError(cause)) {
		if (typeof cause === 'string') return replaceForms(cause, forms);
		return typeof cause === 'object' ? '[cause withheld]' : cause;
	}
	const reduced = new Error(replaceForms(cause.message, forms));
	reduced.name = replaceForms(cause.name, forms);
	reduced.stack = `${reduced.name}: ${reduced.message}`;
	const code = (cause as { code?: unknown }).code;
	if (typeof code === 'string' || typeof code === 'number') (reduced as { code?: unknown }).code = code;
	const next = (cause as { cause?: unknown }).cause;
	if (next !== undefined && depth + 1 < MAX_CAUSES) (reduced as { cause?: unknown }).cause = reduceCause(next, forms, depth + 1);
	return reduced;
}

export function redactCause(cause: unknown, secrets: readonly unknown[]): unknown {
	return reduceCause(cause, secretForms(secrets), 0);
}

export function redactError(error: unknown, secrets: readonly unknown[]): Error {
	const forms = secretForms(secrets);
	if (!isError(error)) return new Error(replaceForms(String(error), forms));
	const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
	for (const key of Object.getOwnPropertyNames(error)) {
		const descriptor = Object.getOwnPropertyDescriptor(error, key);
		if (!descriptor || !('value' in descriptor)) continue;
		const value: unknown = descriptor.value;
		let safe: unknown;
		if (key === 'cause') safe = reduceCause(value, forms, 0);
		else if (typeof value === 'string') safe = replaceForms(value, forms);
		else if (value === null || typeof value !== 'object') safe = value;
		else if (isPlainObject(value) || Array.isArray(value)) safe = copyValue(value, forms, new WeakSet());
		else continue;
		Object.defineProperty(copy, key, { ...descriptor, value: safe });
	}
	return copy;
}

function urlPasswords(url: string | undefined): string[] {
	if (!url) return [];
	try {
		const raw = new URL(url).password;
		if (raw === '') return [];
		let decoded = raw;
		try {
			decoded = decodeURIComponent(raw);
		} catch {
			// A stray % stays as typed.
		}
		return decoded === raw ? [raw] : [decoded, raw];
	} catch {
		return [];
	}
}

export function storeSecrets(options: StoreOptions | null | undefined): string[] {
	if (!options || options.type !== 'redis') return [];
	return [...(options.password ? [options.password] : []), ...urlPasswords(options.url)];
}
