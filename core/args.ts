// Small argument readers: each names the field in the error it throws.
import { InvalidArgumentError } from './errors';

export function optionalString(value: unknown, field: string, max = 256): string | null {
	if (value === undefined || value === null || value === '') return null;
	if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
	if (typeof value !== 'string') throw new InvalidArgumentError(field, 'must be a string');
	const trimmed = value.trim();
	if (trimmed.length > max) throw new InvalidArgumentError(field, `must be at most ${max} characters`);
	return trimmed === '' ? null : trimmed;
}

export function requiredString(value: unknown, field: string, max = 256): string {
	const s = optionalString(value, field, max);
	if (s === null) throw new InvalidArgumentError(field, 'is required');
	return s;
}

export function optionalNumber(
	value: unknown,
	field: string,
	opts: { min?: number; max?: number; integer?: boolean } = {},
): number | null {
	if (value === undefined || value === null || value === '') return null;
	const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof n !== 'number' || !Number.isFinite(n)) throw new InvalidArgumentError(field, 'must be a number');
	if (opts.integer && !Number.isInteger(n)) throw new InvalidArgumentError(field, 'must be a whole number');
	if (opts.min !== undefined && n < opts.min) throw new InvalidArgumentError(field, `must be at least ${opts.min}`);
	if (opts.max !== undefined && n > opts.max) throw new InvalidArgumentError(field, `must be at most ${opts.max}`);
	return n;
}

export function optionalBoolean(value: unknown, field: string): boolean | null {
	if (value === undefined || value === null || value === '') return null;
	if (typeof value === 'boolean') return value;
	if (value === 'true') return true;
	if (value === 'false') return false;
	throw new InvalidArgumentError(field, 'must be true or false');
}

export function optionalStringList(value: unknown, field: string): string[] | null {
	if (value === undefined || value === null || value === '') return null;
	const list = typeof value === 'string' ? value.split(',') : value;
	if (!Array.isArray(list)) throw new InvalidArgumentError(field, 'must be a list of strings');
	return list.map((v, i) => requiredString(v, `${field}[${i}]`, 128));
}

export function optionalObject(value: unknown, field: string): Record<string, unknown> | null {
	if (value === undefined || value === null) return null;
	if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidArgumentError(field, 'must be an object');
	try {
		if (JSON.stringify(value).length > 16384) throw new InvalidArgumentError(field, 'must be at most 16 KB as JSON');
	} catch (err) {
		if (err instanceof InvalidArgumentError) throw err;
		throw new InvalidArgumentError(field, 'must be plain JSON data');
	}
	return value as Record<string, unknown>;
}

export function requireObject(value: unknown, field: string): Record<string, unknown> {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new InvalidArgumentError(field, 'must be an object');
	}
	return value as Record<string, unknown>;
}

/** Ids that travel inside store keys: letters, digits, `_`, `-`, `.`. */
export function identifier(value: unknown, field: string): string {
	const s = requiredString(value, field, 64);
	if (!/^[A-Za-z0-9_.-]+$/.test(s)) {
		throw new InvalidArgumentError(field, 'may only contain letters, digits, "_", "-" and "."');
	}
	return s;
}
