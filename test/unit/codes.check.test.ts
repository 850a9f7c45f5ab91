import { randomInt } from 'node:crypto';
import { checkSymbol, DEFAULT_CHARSET, hasValidCheck } from '../../core/codes';
import { InvalidArgumentError } from '../../core/errors';

// 29 symbols: the default set without W and Z.
const CHARSET_29 = DEFAULT_CHARSET.replace('W', '').replace('Z', '');

type Check = { append: (symbols: string) => string; valid: (code: string) => boolean };

function quasigroup(charset: string): Check {
	return { append: (s) => s + checkSymbol(s, charset), valid: (c) => hasValidCheck(c, charset) };
}

/** Plain sum of indices mod p: catches every substitution but no swap at all. */
function plainSum(charset: string): Check {
	const sum = (s: string) => [...s].reduce((acc, ch) => (acc + charset.indexOf(ch)) % charset.length, 0);
	return {
		append: (s) => s + charset[(charset.length - sum(s)) % charset.length],
		valid: (c) => sum(c) === 0,
	};
}

function randomSymbols(charset: string, length: number): string {
	let out = '';
	for (let i = 0; i < length; i++) out += charset[randomInt(charset.length)];
	return out;
}

interface Misses {
	substitutions: string[];
	transpositions: string[];
	tried: number;
}

/** Every single-symbol substitution and every swap of two different neighbours of `code` (check symbol included). */
function typosMissed(code: string, charset: string, check: Check): Misses {
	const misses: Misses = { substitutions: [], transpositions: [], tried: 0 };
	for (let i = 0; i < code.length; i++) {
		for (const other of charset) {
			if (other === code[i]) continue;
			const typo = code.slice(0, i) + other + code.slice(i + 1);
			misses.tried++;
			if (check.valid(typo)) misses.substitutions.push(typo);
		}
	}
	for (let i = 0; i + 1 < code.length; i++) {
		if (code[i] === code[i + 1]) continue;
		const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
		misses.tried++;
		if (check.valid(swapped)) misses.transpositions.push(swapped);
	}
	return misses;
}

function allStrings(charset: string, length: number): string[] {
	let out = [''];
	for (let i = 0; i < length; i++) out = out.flatMap((s) => [...charset].map((ch) => s + ch));
	return out;
}

describe('check symbol (quasigroup over a prime-sized charset)', () => {
	describe.each([
		['the default charset', DEFAULT_CHARSET, 31],
		['a charset of 29', CHARSET_29, 29],
	])('%s', (_name, charset, size) => {
		it('has a prime number of distinct symbols', () => {
			expect(new Set(charset).size).toBe(size);
		});

		it('catches every substitution and every neighbour swap in random codes of many lengths', () => {
			const check = quasigroup(charset);
			let tried = 0;
			for (let length = 1; length <= 16; length++) {
				for (let sample = 0; sample < 3; sample++) {
					// Force one pair of equal neighbours and one of different ones into the longer samples.
					let base = randomSymbols(charset, length);
					if (length >= 4) base = base[0] + base[0] + charset[(charset.indexOf(base[0]) + 1) % charset.length] + base.slice(3);
					const code = check.append(base);
					expect(check.valid(code)).toBe(true);
					const misses = typosMissed(code, charset, check);
					expect(misses.substitutions).toEqual([]);
					expect(misses.transpositions).toEqual([]);
					tried += misses.tried;
				}
			}
			// 48 codes of 2..17 symbols: (p − 1) substitutions per symbol plus the swaps.
			expect(tried).toBeGreaterThan(48 * 2 * (charset.length - 1));
		});

		it('rejects every wrong check symbol', () => {
			const base = randomSymbols(charset, 10);
			const right = checkSymbol(base, charset);
			const accepted = [...charset].filter((ch) => hasValidCheck(base + ch, charset));
			expect(accepted).toEqual([right]);
		});
	});

	it.each([3, 5, 7])('catches every typo in every code of 3 symbols over a charset of %i', (size) => {
		const charset = DEFAULT_CHARSET.slice(0, size);
		const check = quasigroup(charset);
		const bases = allStrings(charset, 3);
		expect(bases).toHaveLength(size ** 3);
		for (const base of bases) {
			const misses = typosMissed(check.append(base), charset, check);
			expect(misses.substitutions).toEqual([]);
			expect(misses.transpositions).toEqual([]);
		}
	});

	it('the typo search has teeth: a plain sum mod 31 passes substitutions but misses swaps', () => {
		const sum = plainSum(DEFAULT_CHARSET);
		const code = sum.append('7KQ2MX9PAB');
		expect(sum.valid(code)).toBe(true);
		const misses = typosMissed(code, DEFAULT_CHARSET, sum);
		expect(misses.substitutions).toEqual([]);
		expect(misses.transpositions.length).toBeGreaterThan(0);
	});

	it('is a known value for a fixed input, so the fold cannot silently change', () => {
		// Indices 0,1,2 over 31: fold 0 → 0 → 1 → 4; check = −8 mod 31 = 23, the symbol 'S'.
		expect(checkSymbol('234', DEFAULT_CHARSET)).toBe('S');
		expect(hasValidCheck('234S', DEFAULT_CHARSET)).toBe(true);
	});

	it('rejects an empty code and foreign characters instead of throwing', () => {
		expect(hasValidCheck('', DEFAULT_CHARSET)).toBe(false);
		const code = '7KQ2' + checkSymbol('7KQ2', DEFAULT_CHARSET);
		expect(hasValidCheck(code.replace('K', 'O'), DEFAULT_CHARSET)).toBe(false);
		expect(hasValidCheck(code.toLowerCase(), DEFAULT_CHARSET)).toBe(false);
	});

	it('names the argument at fault', () => {
		const bad = (fn: () => unknown) => {
			try {
				fn();
			} catch (error) {
				expect(error).toBeInstanceOf(InvalidArgumentError);
				return (error as InvalidArgumentError).field;
			}
			throw new Error('expected a throw');
		};
		expect(bad(() => checkSymbol('AB', 'ABCD'))).toBe('charset');
		expect(bad(() => checkSymbol('AB', 'AB'))).toBe('charset');
		expect(bad(() => hasValidCheck('AB', DEFAULT_CHARSET + '0'))).toBe('charset');
		expect(bad(() => checkSymbol('A0', DEFAULT_CHARSET))).toBe('symbols');
		expect(() => checkSymbol('AB', 'ABCD')).toThrow(/prime such as 31/);
	});
});
