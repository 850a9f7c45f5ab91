import fc from 'fast-check';
import {
	checkOk,
	CodeGenerator,
	compileFormat,
	generateCodes,
	matchesFormat,
	normaliseCode,
	type CodeFormat,
} from '../../core/codes';
import type { CodeDefinition } from '../../core/types';

const ALNUM = [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'];
const ODD_PRIMES = [3, 5, 7, 11, 13, 17, 19, 23, 29, 31];
const literal = (maxLength: number) =>
	fc.string({ unit: fc.constantFrom(...ALNUM, ...'abcxyz', ' ', '-', '_', '.'), maxLength });

/** Valid definitions: charsets of 2 to 36 symbols in any case and order, literals and slots mixed. */
const definitions: fc.Arbitrary<CodeDefinition> = fc
	.record({
		symbols: fc.shuffledSubarray(ALNUM, { minLength: 2 }),
		lowerCase: fc.boolean(),
		checkCharacter: fc.boolean(),
		pieces: fc.array(fc.oneof(fc.integer({ min: 1, max: 6 }), literal(4)), { minLength: 1, maxLength: 6 }),
		prefix: fc.option(literal(6), { nil: undefined }),
		postfix: fc.option(literal(6), { nil: undefined }),
	})
	.map(({ symbols, lowerCase, checkCharacter, pieces, prefix, postfix }) => {
		let charset = symbols;
		const check = checkCharacter && symbols.length >= 3;
		if (check) charset = symbols.slice(0, Math.max(...ODD_PRIMES.filter((p) => p <= symbols.length)));
		const joined = charset.join('');
		let pattern = pieces.map((p) => (typeof p === 'number' ? '#'.repeat(p) : p)).join('');
		if (!pattern.includes('#')) pattern += '#';
		return {
			pattern: pattern.slice(0, 40),
			charset: lowerCase ? joined.toLowerCase() : joined,
			checkCharacter: check,
			prefix,
			postfix,
		};
	})
	.filter((def) => def.pattern?.includes('#') === true);

/** Replaces one random symbol (a slot or the check symbol) of a key with another charset symbol. */
function withTypo(key: string, format: CodeFormat, seed: number): string {
	const positions = [...format.keyPattern].flatMap((ch, i) => (ch === '#' ? [i] : []));
	positions.push(format.keyPattern.length);
	const at = positions[seed % positions.length];
	const index = format.charset.indexOf(key[at]);
	const other = format.charset[(index + 1 + (seed % (format.charset.length - 1))) % format.charset.length];
	return key.slice(0, at) + other + key.slice(at + 1);
}

describe('generated codes, for random valid formats', () => {
	it('keep the literals in place and their keys match and check', () => {
		fc.assert(
			fc.property(definitions, fc.nat(), (def, seed) => {
				const format = compileFormat(def);
				const generator = new CodeGenerator(format);
				for (let i = 0; i < 20; i++) {
					const code = generator.next();
					expect(code).toHaveLength(format.pattern.length + (format.checkCharacter ? 1 : 0));
					for (let c = 0; c < format.pattern.length; c++) {
						if (format.pattern[c] !== '#') expect(code[c]).toBe(format.pattern[c]);
						else expect(format.charset).toContain(code[c]);
					}
					const key = normaliseCode(code);
					expect(matchesFormat(key, format)).toBe(true);
					expect(checkOk(key, format)).toBe(true);
					if (format.checkCharacter) expect(checkOk(withTypo(key, format, seed + i), format)).toBe(false);
				}
			}),
			{ numRuns: 300 },
		);
	});

	it('come out unique in bulk, even when they fill most of a small space', () => {
		fc.assert(
			fc.property(definitions, fc.integer({ min: 1, max: 400 }), (def, wanted) => {
				const format = compileFormat(def);
				const count = Math.min(wanted, format.space);
				const codes = generateCodes({ ...def, count });
				expect(codes).toHaveLength(count);
				expect(new Set(codes).size).toBe(count);
				for (const code of codes) {
					const key = normaliseCode(code);
					expect(matchesFormat(key, format) && checkOk(key, format)).toBe(true);
				}
			}),
			{ numRuns: 200 },
		);
	});
});
