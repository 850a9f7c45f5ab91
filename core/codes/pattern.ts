import { InvalidArgumentError } from '../errors';
import type { CodeDefinition } from '../types';
import { compileCharset, SEPARATORS, SLOT } from './charset';
import { isCheckableSize } from './check';
import { normaliseCode } from './normalize';

/** A compiled, validated code definition. */
export interface CodeFormat {
	/** Full display pattern, prefix and postfix included, upper-case; `#` is one random symbol, e.g. `SPRING-####-####`. */
	pattern: string;
	/** Upper-case symbols in their given order (the order fixes the check character). */
	charset: string;
	/** Number of `#` in the pattern. */
	slots: number;
	/**
	 * When true one check symbol, computed over the random symbols, is appended at the very end of the
	 * code, after any postfix: `SPRING-####-####` gives `SPRING-7KQ2-MX9P` + `R`. It is not part of
	 * `pattern` or `keyPattern`, so compiling `{ pattern, charset, checkCharacter }` again gives the same format.
	 */
	checkCharacter: boolean;
	/** charset.length ** slots as a float (may be huge); the check symbol does not add to it. */
	space: number;
	/** normaliseCode(pattern): what a typed-in code is matched against (plus the check symbol, if any). */
	keyPattern: string;
}

export const MAX_CODE_LENGTH = 64;
const DEFAULT_LENGTH = 10;
const LITERAL = /^[A-Za-z0-9]$/;

function literalText(value: unknown, field: string, allowSlots: boolean): string {
	if (typeof value !== 'string') throw new InvalidArgumentError(field, 'must be a string');
	for (const ch of value) {
		if (ch === SLOT) {
			if (allowSlots) continue;
			throw new InvalidArgumentError(field, `must not contain '#': it stands for a random symbol; put it in the pattern`);
		}
		if (!LITERAL.test(ch) && !SEPARATORS.includes(ch)) {
			throw new InvalidArgumentError(field, `may hold ASCII letters, digits and separators (space - _ .); '${ch}' is not allowed`);
		}
	}
	return value.toUpperCase();
}

function randomPart(def: CodeDefinition, field: string): string {
	const { pattern, length } = def;
	if (length !== undefined && (!Number.isInteger(length) || length < 1 || length > MAX_CODE_LENGTH)) {
		throw new InvalidArgumentError(`${field}.length`, `must be a whole number from 1 to ${MAX_CODE_LENGTH}`);
	}
	if (pattern === undefined) return SLOT.repeat(length ?? DEFAULT_LENGTH);
	const text = literalText(pattern, `${field}.pattern`, true);
	const slots = countSlots(text);
	if (slots === 0) throw new InvalidArgumentError(`${field}.pattern`, `needs at least one '#' (a random symbol)`);
	if (length !== undefined && length !== slots) {
		throw new InvalidArgumentError(`${field}.length`, `is ${length} but the pattern has ${slots} '#'; give one of them`);
	}
	return text;
}

function countSlots(pattern: string): number {
	let slots = 0;
	for (const ch of pattern) if (ch === SLOT) slots++;
	return slots;
}

/**
 * Validates a code definition and fills the defaults: no pattern → `length` (default 10) random symbols;
 * default charset; prefix and postfix as literal text around the pattern. Literals may be charset
 * symbols too: matching is by position, so they can never be mistaken for random ones. `null` reads as
 * no definition (a blank field in JSON).
 */
export function compileFormat(def: CodeDefinition | undefined, field = 'code'): CodeFormat {
	const given: unknown = def ?? {};
	if (typeof given !== 'object' || given === null || Array.isArray(given)) {
		throw new InvalidArgumentError(field, 'must be an object');
	}
	const code = given as CodeDefinition;
	const charset = compileCharset(code.charset, `${field}.charset`);
	const prefix = code.prefix === undefined ? '' : literalText(code.prefix, `${field}.prefix`, false);
	const postfix = code.postfix === undefined ? '' : literalText(code.postfix, `${field}.postfix`, false);
	const body = randomPart(code, field);
	if (code.checkCharacter !== undefined && typeof code.checkCharacter !== 'boolean') {
		throw new InvalidArgumentError(`${field}.checkCharacter`, 'must be true or false');
	}
	const checkCharacter = code.checkCharacter === true;
	if (checkCharacter && !isCheckableSize(charset.length)) {
		throw new InvalidArgumentError(
			`${field}.checkCharacter`,
			`check characters need a charset whose size is a prime such as 31; this charset has ${charset.length} symbols`,
		);
	}
	const pattern = prefix + body + postfix;
	const length = pattern.length + (checkCharacter ? 1 : 0);
	if (length > MAX_CODE_LENGTH) {
		throw new InvalidArgumentError(
			code.pattern === undefined ? `${field}.length` : `${field}.pattern`,
			`the code would be ${length} characters long (prefix, pattern, postfix and check character); at most ${MAX_CODE_LENGTH}`,
		);
	}
	const slots = countSlots(body);
	return {
		pattern,
		charset,
		slots,
		checkCharacter,
		space: charset.length ** slots,
		keyPattern: normaliseCode(pattern),
	};
}
