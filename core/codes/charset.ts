import { InvalidArgumentError } from '../errors';

/** 31 symbols that cannot be mistaken for one another: no 0 O 1 I L. 31 is a prime, so check characters work. */
export const DEFAULT_CHARSET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** Characters a typed-in code drops (see normaliseCode), so they can be literals but never symbols. */
export const SEPARATORS = ' -_.';

/** In a pattern, one random symbol. */
export const SLOT = '#';

const ALNUM = /^[A-Za-z0-9]$/;

/**
 * Validates a charset and returns it upper-cased, order kept (the order fixes each symbol's value in the
 * check character). Symbols are ASCII letters and digits only: codes are matched case-insensitively, so
 * 'a' and 'A' are one symbol, and anything else is at risk in SMS, URLs and keyboards.
 */
export function compileCharset(charset: unknown, field: string): string {
	if (charset === undefined) return DEFAULT_CHARSET;
	if (typeof charset !== 'string') throw new InvalidArgumentError(field, 'must be a string of symbols');
	const seen = new Set<string>();
	for (const ch of charset) {
		if (SEPARATORS.includes(ch) || /\s/.test(ch)) {
			throw new InvalidArgumentError(field, `must not contain separators (space - _ .): typed-in codes drop them`);
		}
		if (!ALNUM.test(ch)) throw new InvalidArgumentError(field, `symbols must be ASCII letters or digits; '${ch}' is not`);
		const upper = ch.toUpperCase();
		if (seen.has(upper)) {
			const problem =
				upper === ch ? `'${ch}' appears twice` : `'${ch}' and '${upper}' are one symbol: codes are not case-sensitive`;
			throw new InvalidArgumentError(field, problem);
		}
		seen.add(upper);
	}
	if (seen.size < 2) throw new InvalidArgumentError(field, `needs at least 2 symbols, got ${seen.size}`);
	return [...seen].join('');
}
