import { checkOk, checkSymbol, compileFormat, DEFAULT_CHARSET, matchesFormat, maxIssuable, normaliseCode } from '../../core/codes';
import { InvalidArgumentError } from '../../core/errors';
import type { CodeDefinition } from '../../core/types';

function fieldOf(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(InvalidArgumentError);
		const { field, message } = error as InvalidArgumentError;
		expect(message.startsWith(`${field}: `)).toBe(true);
		return field;
	}
	throw new Error('expected an InvalidArgumentError');
}

describe('compileFormat', () => {
	it('defaults to 10 symbols of the default charset', () => {
		expect(compileFormat(undefined)).toEqual({
			pattern: '##########',
			charset: DEFAULT_CHARSET,
			slots: 10,
			checkCharacter: false,
			space: 31 ** 10,
			keyPattern: '##########',
		});
		expect(DEFAULT_CHARSET).toHaveLength(31);
		expect(DEFAULT_CHARSET).not.toMatch(/[01OIL]/);
	});

	it('puts prefix and postfix around the pattern, upper-case, and keys it without separators', () => {
		const format = compileFormat({ prefix: 'spring-', pattern: '####-####', postfix: '_x', checkCharacter: true });
		expect(format.pattern).toBe('SPRING-####-####_X');
		expect(format.keyPattern).toBe('SPRING########X');
		expect(format.slots).toBe(8);
		expect(format.space).toBe(31 ** 8);
	});

	it('takes a length without a pattern, and a length that agrees with the pattern', () => {
		expect(compileFormat({ length: 6 }).pattern).toBe('######');
		expect(compileFormat({ length: 4, pattern: '##-##' }).pattern).toBe('##-##');
	});

	it('reads null (a blank field in JSON) as no definition', () => {
		expect(compileFormat(null as unknown as CodeDefinition)).toEqual(compileFormat(undefined));
	});

	it('upper-cases the charset and keeps its order', () => {
		expect(compileFormat({ charset: 'xyz9' }).charset).toBe('XYZ9');
	});

	it('compiles its own output to the same format', () => {
		const format = compileFormat({ prefix: 'a.', pattern: '### ###', charset: 'abcdefg', checkCharacter: true });
		const { pattern, charset, checkCharacter } = format;
		expect(compileFormat({ pattern, charset, checkCharacter })).toEqual(format);
	});

	it('allows charset symbols as literals: matching is by position', () => {
		const format = compileFormat({ pattern: 'A#', charset: 'ABC' });
		expect(matchesFormat('AB', format)).toBe(true);
		expect(matchesFormat('BA', format)).toBe(false);
	});

	it.each<[string, unknown, string]>([
		['not an object', 'SPRING', 'code'],
		['an array', [], 'code'],
		['a charset of one symbol', { charset: 'AAAA' }, 'code.charset'],
		['a charset that is not a string', { charset: 42 }, 'code.charset'],
		['a charset with a repeated symbol', { charset: 'ABCA' }, 'code.charset'],
		['a charset with a and A', { charset: 'abcA' }, 'code.charset'],
		['a charset with a dash', { charset: 'AB-C' }, 'code.charset'],
		['a charset with a space', { charset: 'AB C' }, 'code.charset'],
		['a charset with an underscore', { charset: 'AB_C' }, 'code.charset'],
		['a charset with a dot', { charset: 'AB.C' }, 'code.charset'],
		['a charset with a non-ASCII letter', { charset: 'ABÄ' }, 'code.charset'],
		['a charset with punctuation', { charset: 'AB#' }, 'code.charset'],
		['a pattern without #', { pattern: 'SPRING' }, 'code.pattern'],
		['an empty pattern', { pattern: '' }, 'code.pattern'],
		['a pattern with a slash', { pattern: '##/##' }, 'code.pattern'],
		['a pattern with a tab', { pattern: '##\t##' }, 'code.pattern'],
		['a pattern that is not a string', { pattern: 7 }, 'code.pattern'],
		['a prefix with #', { prefix: 'A#' }, 'code.prefix'],
		['a prefix that is not a string', { prefix: 1 }, 'code.prefix'],
		['a postfix with an emoji', { postfix: '🎉' }, 'code.postfix'],
		['a length of 0', { length: 0 }, 'code.length'],
		['a length of 65', { length: 65 }, 'code.length'],
		['a fractional length', { length: 2.5 }, 'code.length'],
		['a length that disagrees with the pattern', { length: 5, pattern: '####' }, 'code.length'],
		['a code longer than 64', { prefix: 'P'.repeat(60), length: 5 }, 'code.length'],
		['a pattern longer than 64 with its check', { pattern: '#'.repeat(64), checkCharacter: true }, 'code.pattern'],
		['checkCharacter that is not a boolean', { checkCharacter: 'yes' }, 'code.checkCharacter'],
		['a check character over 32 symbols', { charset: DEFAULT_CHARSET + '0', checkCharacter: true }, 'code.checkCharacter'],
		['a check character over 2 symbols', { charset: 'AB', checkCharacter: true }, 'code.checkCharacter'],
	])('refuses %s, naming the field', (_what, def, field) => {
		expect(fieldOf(() => compileFormat(def as CodeDefinition))).toBe(field);
	});

	it('explains why a check character needs a prime', () => {
		expect(() => compileFormat({ charset: 'ABCDEF', checkCharacter: true })).toThrow(
			/check characters need a charset whose size is a prime such as 31/,
		);
	});

	it('accepts exactly 64 characters including the check symbol', () => {
		expect(compileFormat({ pattern: '#'.repeat(63), checkCharacter: true }).slots).toBe(63);
	});

	it('prefixes the field names with the field it is given', () => {
		expect(fieldOf(() => compileFormat({ charset: 'A' }, 'campaign.code'))).toBe('campaign.code.charset');
		expect(fieldOf(() => compileFormat(5 as unknown as CodeDefinition, 'x'))).toBe('x');
	});
});

describe('normaliseCode', () => {
	it.each([
		['  spring-7kq2-mx9p  ', 'SPRING7KQ2MX9P'],
		['Spring 7KQ2 MX9P', 'SPRING7KQ2MX9P'],
		['spring_7kq2.mx9p', 'SPRING7KQ2MX9P'],
		['spring\t7kq2\nmx9p', 'SPRING7KQ2MX9P'],
		['SPRING–7KQ2—MX9P', 'SPRING7KQ2MX9P'], // en and em dash, as word processors type them
		['SPRING\u00a07KQ2\u200bMX9P', 'SPRING7KQ2MX9P'], // no-break and zero-width space from HTML mail
		['ＳＰＲＩＮＧ－７ＫＱ２', 'SPRING7KQ2'], // full-width keyboard
		['', ''],
	])('%j → %j', (input, key) => {
		expect(normaliseCode(input)).toBe(key);
	});

	it('is idempotent', () => {
		const key = normaliseCode(' a-b_c.d ');
		expect(normaliseCode(key)).toBe(key);
	});

	it('refuses what is not a string, naming the field', () => {
		expect(fieldOf(() => normaliseCode(123 as unknown as string))).toBe('code');
	});
});

describe('matchesFormat and checkOk', () => {
	const plain = compileFormat({ prefix: 'SPRING-', pattern: '####-####' });
	const checked = compileFormat({ prefix: 'SPRING-', pattern: '####-####', checkCharacter: true });
	const symbols = '7KQ2MX9P';
	const key = `SPRING${symbols}`;
	const checkedKey = key + checkSymbol(symbols, DEFAULT_CHARSET);

	it('accepts a key of the right shape', () => {
		expect(matchesFormat(key, plain)).toBe(true);
		expect(matchesFormat(normaliseCode('spring-7kq2-mx9p'), plain)).toBe(true);
		expect(matchesFormat(checkedKey, checked)).toBe(true);
	});

	it.each([
		['too short', key.slice(0, -1)],
		['too long', `${key}A`],
		['a wrong literal', `SPRONG${symbols}`],
		['a symbol outside the charset (O)', 'SPRING7KQ2MX9O'],
		['a symbol outside the charset (0)', 'SPRING7KQ2MX90'],
		['lower case (not normalised)', 'spring7kq2mx9p'],
		['separators left in (not normalised)', 'SPRING-7KQ2-MX9P'],
		['empty', ''],
	])('refuses %s', (_what, candidate) => {
		expect(matchesFormat(candidate, plain)).toBe(false);
	});

	it('needs the check symbol when the format has one, from the charset', () => {
		expect(matchesFormat(key, checked)).toBe(false);
		expect(matchesFormat(`${key}O`, checked)).toBe(false);
		expect(matchesFormat(checkedKey, plain)).toBe(false);
	});

	it('checkOk is true without a check character, whatever the key', () => {
		expect(checkOk(key, plain)).toBe(true);
		expect(checkOk('anything', plain)).toBe(true);
	});

	it('checkOk verifies the check symbol over the random symbols only', () => {
		expect(checkOk(checkedKey, checked)).toBe(true);
		const typo = checkedKey.slice(0, 7) + 'Z' + checkedKey.slice(8);
		expect(matchesFormat(typo, checked)).toBe(true);
		expect(checkOk(typo, checked)).toBe(false);
		const swapped = checkedKey.slice(0, 6) + checkedKey[7] + checkedKey[6] + checkedKey.slice(8);
		expect(checkOk(swapped, checked)).toBe(false);
		expect(checkOk('SPRING', checked)).toBe(false);
	});

	it('places the check symbol at the very end, after the postfix', () => {
		const withPostfix = compileFormat({ pattern: '####', postfix: '-EU', checkCharacter: true });
		const check = checkSymbol('7KQ2', DEFAULT_CHARSET);
		expect(checkOk(`7KQ2EU${check}`, withPostfix)).toBe(true);
		expect(matchesFormat(`7KQ2${check}EU`, withPostfix)).toBe(false);
	});
});

describe('maxIssuable', () => {
	it('is floor(space × p)', () => {
		expect(maxIssuable(31 ** 10, 1e-6)).toBe(Math.floor(31 ** 10 * 1e-6));
		expect(maxIssuable(31 ** 4, 1e-6)).toBe(0);
		expect(maxIssuable(1000, 1)).toBe(1000);
		expect(maxIssuable(0, 0.5)).toBe(0);
	});

	it('does not lose a code to floating-point rounding', () => {
		expect(90 * 0.7).toBeLessThan(63);
		expect(maxIssuable(90, 0.7)).toBe(63);
		expect(maxIssuable(1e6, 1e-6)).toBe(1);
		expect(maxIssuable(99, 0.7)).toBe(69);
	});

	it('caps at Number.MAX_SAFE_INTEGER', () => {
		expect(maxIssuable(36 ** 64, 1e-6)).toBe(Number.MAX_SAFE_INTEGER);
		expect(maxIssuable(Number.POSITIVE_INFINITY, 1e-6)).toBe(Number.MAX_SAFE_INTEGER);
	});

	it.each<[number, number, string]>([
		[-1, 1e-6, 'space'],
		[Number.NaN, 1e-6, 'space'],
		[100, 0, 'maxGuessProbability'],
		[100, -0.1, 'maxGuessProbability'],
		[100, 1.5, 'maxGuessProbability'],
		[100, Number.NaN, 'maxGuessProbability'],
	])('refuses space %d with p %d, naming %s', (space, p, field) => {
		expect(fieldOf(() => maxIssuable(space, p))).toBe(field);
	});
});
