import { InvalidArgumentError } from '../errors';
import { SLOT } from './charset';
import { foldStep, checkIndexFor } from './check';
import type { CodeFormat } from './pattern';

/*
 * Besides ASCII whitespace, - _ and . this drops what copying a code out of an e-mail or a word processor
 * brings along: typographic dashes (‐ – — −, Unicode Pd), non-breaking and zero-width spaces. NFKC first
 * turns full-width letters and digits (Japanese and Chinese keyboards) into ASCII.
 */
const DROPPED = /[\s\p{Pd}\u2212_.\u200B-\u200D\u2060]/gu;

/** The lookup key of a typed or displayed code: upper-case, without spaces and separators. */
export function normaliseCode(input: string): string {
	if (typeof input !== 'string') throw new InvalidArgumentError('code', 'must be a string');
	return input.normalize('NFKC').toUpperCase().replace(DROPPED, '');
}

/** True when a key has the shape of the format: its literals in place, charset symbols in every slot, the right length. */
export function matchesFormat(key: string, format: CodeFormat): boolean {
	const { keyPattern, charset } = format;
	if (key.length !== keyPattern.length + (format.checkCharacter ? 1 : 0)) return false;
	for (let i = 0; i < key.length; i++) {
		const expected = i < keyPattern.length ? keyPattern[i] : SLOT;
		if (expected === SLOT ? charset.indexOf(key[i]) < 0 : key[i] !== expected) return false;
	}
	return true;
}

/** True when the format has no check character, or the key's last symbol checks its random symbols. */
export function checkOk(key: string, format: CodeFormat): boolean {
	if (!format.checkCharacter) return true;
	if (!matchesFormat(key, format)) return false;
	const { keyPattern, charset } = format;
	const p = charset.length;
	let acc = 0;
	for (let i = 0; i < keyPattern.length; i++) {
		if (keyPattern[i] === SLOT) acc = foldStep(acc, charset.indexOf(key[i]), p);
	}
	return charset.indexOf(key[keyPattern.length]) === checkIndexFor(acc, p);
}
