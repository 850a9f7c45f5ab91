// Argument checks that name the field at fault.
import { InvalidArgumentError } from '../errors';

export function requireText(value: unknown, field: string): string {
	if (typeof value !== 'string' || value.trim() === '') throw new InvalidArgumentError(field, 'is required (a non-empty string)');
	return value;
}

export function optionalText(value: unknown, field: string): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value !== 'string') throw new InvalidArgumentError(field, `expected a string, got ${typeof value}`);
	return value;
}

export function requireNumber(value: unknown, field: string): number {
	if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidArgumentError(field, `expected a finite number, got ${JSON.stringify(value)}`);
	return value;
}

export function nonNegative(value: unknown, field: string, fallback: number): number {
	if (value === undefined || value === null) return fallback;
	const n = requireNumber(value, field);
	if (n < 0) throw new InvalidArgumentError(field, `must not be negative, got ${n}`);
	return n;
}

export function positiveInteger(value: unknown, field: string, fallback: number): number {
	if (value === undefined || value === null) return fallback;
	const n = requireNumber(value, field);
	if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(field, `expected a positive whole number, got ${n}`);
	return n;
}

export function nonNegativeInteger(value: unknown, field: string, fallback: number): number {
	if (value === undefined || value === null) return fallback;
	const n = requireNumber(value, field);
	if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(field, `expected a whole number ≥ 0, got ${n}`);
	return n;
}

/** Scopes become part of Redis hash tags, so braces are out. */
export function checkScope(value: unknown): string {
	const scope = value === undefined ? 'default' : requireText(value, 'scope');
	if (!/^[A-Za-z0-9_.:@/-]{1,200}$/.test(scope)) {
		throw new InvalidArgumentError('scope', 'use letters, digits and _ . : @ / - only (at most 200)');
	}
	return scope;
}
