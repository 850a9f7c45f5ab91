import { randomBytes } from 'node:crypto';
import {
	checkOk,
	CodeGenerator,
	compileFormat,
	DEFAULT_CHARSET,
	generateCodes,
	matchesFormat,
	normaliseCode,
} from '../../core/codes';
import { InvalidArgumentError } from '../../core/errors';

/**
 * Chi-square critical value for `df` degrees of freedom at upper-tail z-score `z` (Wilson–Hilferty:
 * (X/df)^(1/3) is close to normal). Checked below against the table value 59.70 for df 30, p 0.001.
 */
function chiSquareCritical(df: number, z: number): number {
	const v = 2 / (9 * df);
	return df * (1 - v + z * Math.sqrt(v)) ** 3;
}
const Z_0_001 = 3.0902; // upper tail 1e-3
const Z_0_00001 = 4.2649; // upper tail 1e-5

function chiSquare(counts: number[]): number {
	const total = counts.reduce((a, b) => a + b, 0);
	const expected = total / counts.length;
	return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}

/** Symbol counts per position of equally long codes. */
function countsByPosition(codes: string[], charset: string): number[][] {
	const counts = Array.from({ length: codes[0].length }, () => new Array<number>(charset.length).fill(0));
	for (const code of codes) {
		for (let i = 0; i < code.length; i++) {
			const index = charset.indexOf(code[i]);
			if (index < 0) throw new Error(`'${code[i]}' is not in the charset`);
			counts[i][index]++;
		}
	}
	return counts;
}

interface Uniformity {
	perPosition: number[];
	pooled: number;
}

function uniformity(codes: string[], charset: string): Uniformity {
	const byPosition = countsByPosition(codes, charset);
	const pooled = byPosition.reduce((sum, counts) => sum.map((s, i) => s + counts[i]));
	return { perPosition: byPosition.map(chiSquare), pooled: chiSquare(pooled) };
}

/**
 * Passes when the pooled symbol counts are within the 0.001 critical value and every position within
 * the 1e-5 one (10 positions: at most 1e-4 for all of them by chance), so a fair generator fails this
 * about once in 900 runs.
 */
function looksUniform(u: Uniformity, symbols: number): boolean {
	const df = symbols - 1;
	return u.pooled < chiSquareCritical(df, Z_0_001) && u.perPosition.every((x) => x < chiSquareCritical(df, Z_0_00001));
}

/** The textbook mistake: one random byte modulo the charset size. */
function moduloBiasedCodes(count: number, length: number, charset: string): string[] {
	const bytes = randomBytes(count * length);
	const codes: string[] = [];
	for (let c = 0; c < count; c++) {
		let code = '';
		for (let i = 0; i < length; i++) code += charset[bytes[c * length + i] % charset.length];
		codes.push(code);
	}
	return codes;
}

/**
 * Expected chi-square of `n` draws from `probabilities` tested against uniform: df plus the
 * non-centrality n · k · Σ (pᵢ − 1/k)².
 */
function expectedChiSquare(n: number, probabilities: number[]): number {
	const k = probabilities.length;
	return k - 1 + n * k * probabilities.reduce((sum, p) => sum + (p - 1 / k) ** 2, 0);
}

function moduloProbabilities(size: number): number[] {
	return Array.from({ length: size }, (_, i) => Math.ceil((256 - i) / size) / 256);
}

const COUNT = 200_000;

describe('code generation', () => {
	const codes = generateCodes({ count: COUNT });

	it('gives 200,000 unique codes of the default format', () => {
		expect(codes).toHaveLength(COUNT);
		expect(new Set(codes).size).toBe(COUNT);
		const format = compileFormat(undefined);
		expect(codes.every((code) => code.length === 10 && matchesFormat(code, format))).toBe(true);
	});

	it('the chi-square helper agrees with the table: 59.70 for df 30 at p 0.001', () => {
		expect(chiSquareCritical(30, Z_0_001)).toBeCloseTo(59.7, 0);
		expect(chiSquareCritical(35, Z_0_001)).toBeCloseTo(66.62, 0);
	});

	it('draws every symbol equally often at every position (chi-square)', () => {
		const u = uniformity(codes, DEFAULT_CHARSET);
		expect(u.pooled).toBeLessThan(59.7);
		expect(looksUniform(u, 31)).toBe(true);
	});

	it('the same chi-square test fails a generator with modulo bias (byte % 31)', () => {
		// 256 = 8·31 + 8: symbols 0..7 come up 9/256 of the time, the rest 8/256.
		const expectedPerPosition = expectedChiSquare(COUNT, moduloProbabilities(31));
		expect(expectedPerPosition).toBeGreaterThan(500);
		expect(expectedPerPosition).toBeGreaterThan(5 * chiSquareCritical(30, Z_0_00001));
		const u = uniformity(moduloBiasedCodes(COUNT, 10, DEFAULT_CHARSET), DEFAULT_CHARSET);
		expect(looksUniform(u, 31)).toBe(false);
		expect(Math.min(...u.perPosition)).toBeGreaterThan(chiSquareCritical(30, Z_0_00001));
	});

	it('is unbiased for a charset of 36, where 4 byte values must be thrown away, and the biased one is caught', () => {
		const charset = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
		const ours = generateCodes({ count: 100_000, length: 8, charset });
		expect(looksUniform(uniformity(ours, charset), 36)).toBe(true);
		// 256 = 7·36 + 4: about 230 expected per position against a critical value near 80.
		expect(expectedChiSquare(100_000, moduloProbabilities(36))).toBeGreaterThan(2.5 * chiSquareCritical(35, Z_0_00001));
		expect(looksUniform(uniformity(moduloBiasedCodes(100_000, 8, charset), charset), 36)).toBe(false);
	});

	it('the check symbol is uniform too', () => {
		const generator = new CodeGenerator(compileFormat({ length: 4, checkCharacter: true }));
		const checks = Array.from({ length: 100_000 }, () => generator.next().slice(-1));
		expect(looksUniform(uniformity(checks, DEFAULT_CHARSET), 31)).toBe(true);
	});

	it('next() gives display codes whose key matches and checks', () => {
		const format = compileFormat({ prefix: 'spring-', pattern: '####-####', postfix: '-x', checkCharacter: true });
		const generator = new CodeGenerator(format);
		for (let i = 0; i < 1000; i++) {
			const code = generator.next();
			expect(code).toMatch(/^SPRING-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-X[2-9A-HJKMNP-Z]$/);
			const key = normaliseCode(code);
			expect(matchesFormat(key, format)).toBe(true);
			expect(checkOk(key, format)).toBe(true);
		}
	});

	it('fills a small space completely, every code once', () => {
		const all = generateCodes({ charset: 'abc', length: 4, count: 81 });
		expect(new Set(all).size).toBe(81);
		expect(all.every((c) => /^[ABC]{4}$/.test(c))).toBe(true);
		expect(generateCodes({ charset: 'AB', pattern: '#', count: 2 }).sort()).toEqual(['A', 'B']);
	});

	it('gives unique codes with literals and check symbols in bulk', () => {
		const many = generateCodes({ pattern: 'X-###', checkCharacter: true, count: 20_000 });
		const format = compileFormat({ pattern: 'X-###', checkCharacter: true });
		expect(new Set(many).size).toBe(20_000);
		expect(many.every((code) => checkOk(normaliseCode(code), format))).toBe(true);
	});

	it('returns nothing for a count of 0', () => {
		expect(generateCodes({ count: 0 })).toEqual([]);
	});

	it.each([
		[{ count: -1 }, 'count'],
		[{ count: 1.5 }, 'count'],
		[{ count: Number.NaN }, 'count'],
		[{ count: '10' as unknown as number }, 'count'],
		[{ count: 2 ** 24 + 1 }, 'count'],
		[{ count: 9, charset: 'AB', length: 3 }, 'count'],
		[{ count: 1, charset: 'A' }, 'code.charset'],
		[{ count: 1, pattern: 'ABC' }, 'code.pattern'],
	])('refuses %j naming %s', (options, field) => {
		expect(() => generateCodes(options)).toThrow(InvalidArgumentError);
		expect(() => generateCodes(options)).toThrow(expect.objectContaining({ field }));
	});
});
