import { InvalidArgumentError } from '../errors';
import type { CodeDefinition } from '../types';
import { SLOT } from './charset';
import { checkIndexFor } from './check';
import { compileFormat, type CodeFormat } from './pattern';
import { RandomBytes } from './random';
import { UniqueRows } from './uniqueRows';

const REJECT = 0xff;
/** Bounds the memory of one call: at this count the codes alone take hundreds of megabytes. */
export const MAX_GENERATE = 2 ** 24;
/**
 * Codes are drawn a batch at a time and then looked up: lookups that do not wait on each other let the
 * processor overlap their cache misses, which makes bulk generation several times faster.
 */
const BATCH = 4096;

/** Random codes of one format in display form: upper-case, literals and separators in place. */
export class CodeGenerator {
	readonly format: CodeFormat;
	/** The display code as ASCII bytes with the literals in place. */
	private readonly template: Uint8Array;
	private readonly hash = new Int32Array(1);
	private readonly slotAt: Uint8Array;
	private readonly symbolCodes: Uint8Array;
	/**
	 * Random byte → symbol index. Bytes at or above the largest multiple of the charset size are rejected
	 * and drawn again, so every symbol comes from the same number of byte values: no modulo bias.
	 */
	private readonly symbolOf: Uint8Array;
	private readonly random = new RandomBytes();

	constructor(format: CodeFormat) {
		this.format = format;
		const { pattern, charset, checkCharacter } = format;
		this.template = new Uint8Array(pattern.length + (checkCharacter ? 1 : 0));
		const slots: number[] = [];
		for (let i = 0; i < pattern.length; i++) {
			this.template[i] = pattern.charCodeAt(i);
			if (pattern[i] === SLOT) slots.push(i);
		}
		this.slotAt = Uint8Array.from(slots);
		this.symbolCodes = Uint8Array.from(charset, (ch) => ch.charCodeAt(0));
		const n = charset.length;
		const limit = 256 - (256 % n);
		this.symbolOf = new Uint8Array(256).fill(REJECT);
		for (let b = 0; b < limit; b++) this.symbolOf[b] = b % n;
	}

	next(): string {
		this.fillRows(this.template, this.hash, 0, 1);
		return String.fromCharCode(...this.template);
	}

	/** A row to start every code from: the display code as ASCII bytes, literals in place (slots get overwritten). */
	get literals(): Uint8Array {
		return this.template.slice();
	}

	/**
	 * Writes the symbols (and check symbol) of codes `from` to `to` − 1 into `rows`, one row of
	 * `literals.length` bytes each with the literals already there, and a 32-bit hash of each into `hashes`.
	 */
	fillRows(rows: Uint8Array, hashes: Int32Array, from: number, to: number): void {
		const { slotAt, symbolOf, symbolCodes, random } = this;
		const width = this.template.length;
		const checkAt = this.format.checkCharacter ? width - 1 : -1;
		const pool = random.bytes;
		let offset = random.offset;
		const p = symbolCodes.length;
		for (let r = from; r < to; r++) {
			const at = r * width;
			let acc = 0;
			let hash = 0;
			for (let s = 0; s < slotAt.length; s++) {
				let index = REJECT;
				while (index === REJECT) {
					if (offset === pool.length) {
						random.refill();
						offset = 0;
					}
					index = symbolOf[pool[offset++]];
				}
				rows[at + slotAt[s]] = symbolCodes[index];
				hash = (Math.imul(hash, 31) + index) | 0;
				acc = 2 * acc + index;
				if (acc >= p) acc %= p;
			}
			if (checkAt >= 0) rows[at + checkAt] = symbolCodes[checkIndexFor(acc, p)];
			hashes[r] = hash;
		}
		random.offset = offset;
	}
}

function validateCount(count: unknown, space: number): number {
	if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
		throw new InvalidArgumentError('count', 'must be a whole number, 0 or more');
	}
	if (count > MAX_GENERATE) {
		throw new InvalidArgumentError('count', `at most ${MAX_GENERATE} codes per call; generate in batches`);
	}
	if (count > space) throw new InvalidArgumentError('count', `the pattern holds only ${space} different codes`);
	return count;
}

/** `count` unique random codes in display form, in memory, for codes that are stored elsewhere. */
export function generateCodes(options: CodeDefinition & { count: number }): string[] {
	if (typeof options !== 'object' || options === null || Array.isArray(options)) {
		throw new InvalidArgumentError('options', 'must be an object');
	}
	const format = compileFormat(options);
	const count = validateCount(options.count, format.space);
	const generator = new CodeGenerator(format);
	const rows = new UniqueRows(generator.literals, count);
	for (let from = 0; from < count; from += BATCH) {
		const to = Math.min(count, from + BATCH);
		generator.fillRows(rows.bytes, rows.hashes, from, to);
		for (let r = from; r < to; r++) {
			while (!rows.keep(r)) generator.fillRows(rows.bytes, rows.hashes, r, r + 1);
		}
	}
	return rows.toStrings();
}
