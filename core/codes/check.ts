import { InvalidArgumentError } from '../errors';

/*
 * One check symbol over a charset whose size p is an odd prime. Symbols are folded by their index in the
 * charset with the quasigroup x∘y = (2x + y) mod p, starting from 0, and the check symbol is the one that
 * brings the fold back to 0. Unrolled, the fold is Σ 2^(n−i)·dᵢ mod p. Because 2 is invertible modulo an
 * odd prime:
 *   - changing one symbol by δ moves the sum by 2^k·δ ≠ 0, so every substitution is caught;
 *   - swapping neighbours a ≠ b moves it by 2^k·(a − b) ≠ 0 (with the check symbol c: d − c), so every
 *     adjacent transposition is caught.
 * Luhn mod N misses some swaps; with p = 2 the fold would only see the last symbol, hence odd primes.
 */

export function isCheckableSize(size: number): boolean {
	if (!Number.isInteger(size) || size < 3 || size % 2 === 0) return false;
	for (let d = 3; d * d <= size; d += 2) if (size % d === 0) return false;
	return true;
}

/** One fold step; `acc` and `index` are below `p`. */
export function foldStep(acc: number, index: number, p: number): number {
	return (2 * acc + index) % p;
}

/** Index of the check symbol that closes a fold standing at `acc`. */
export function checkIndexFor(acc: number, p: number): number {
	return (p - ((2 * acc) % p)) % p;
}

function assertCheckable(charset: string): void {
	if (!isCheckableSize(charset.length)) {
		throw new InvalidArgumentError(
			'charset',
			`check characters need a charset whose size is a prime such as 31 (3 or more); this one has ${charset.length}`,
		);
	}
}

/** The check symbol to append to `symbols` (all of them symbols of the upper-cased `charset`). */
export function checkSymbol(symbols: string, charset: string): string {
	assertCheckable(charset);
	const p = charset.length;
	let acc = 0;
	for (const ch of symbols) {
		const index = charset.indexOf(ch);
		if (index < 0) throw new InvalidArgumentError('symbols', `'${ch}' is not a symbol of the charset`);
		acc = foldStep(acc, index, p);
	}
	return charset[checkIndexFor(acc, p)];
}

/** True when the last symbol is the check symbol of the ones before it; false for a foreign character. */
export function hasValidCheck(symbolsWithCheck: string, charset: string): boolean {
	assertCheckable(charset);
	if (symbolsWithCheck.length === 0) return false;
	const p = charset.length;
	let acc = 0;
	for (const ch of symbolsWithCheck) {
		const index = charset.indexOf(ch);
		if (index < 0) return false;
		acc = foldStep(acc, index, p);
	}
	return acc === 0;
}
