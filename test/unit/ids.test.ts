import { validate, version } from 'uuid';
import { campaignOfUnit, IdSource, newId, unitId } from '../../core/ids';

/** The 48-bit time and the 31-bit sequence an id of IdSource carries. */
function partsOf(id: string): { ms: number; seq: number; variant: number } {
	const hex = id.replace(/-/g, '');
	const randA = parseInt(hex.slice(13, 16), 16);
	const randBTop = parseInt(hex.slice(16, 21), 16); // variant (2 bits) then 18 bits of rand_b
	return {
		ms: parseInt(hex.slice(0, 12), 16),
		seq: randA * 2 ** 19 + (randBTop & 0x3ffff) * 2 + (parseInt(hex.slice(21, 22), 16) >> 3),
		variant: randBTop >> 18,
	};
}

describe('ids', () => {
	it('are uuid v7 of RFC 9562 (as the uuid package reads them) carrying the clock in milliseconds', () => {
		const source = new IdSource(() => 0x0123456789ab);
		const id = source.next();
		expect(validate(id)).toBe(true);
		expect(version(id)).toBe(7);
		expect(id.slice(0, 13)).toBe('01234567-89ab');
		expect(partsOf(id).variant).toBe(0b10);
		const now = Date.now();
		const live = partsOf(newId());
		expect(live.ms).toBeGreaterThanOrEqual(now);
		expect(live.ms).toBeLessThan(now + 1000);
	});

	it('count up within one millisecond from a random start, and sort in the order they were made', () => {
		const source = new IdSource(() => 1_800_000_000_000);
		const made = Array.from({ length: 5000 }, () => source.next());
		const seqs = made.map((id) => partsOf(id).seq);
		for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1] + 1);
		expect(seqs[0]).toBeLessThan(2 ** 30);
		expect([...made].sort()).toEqual(made);
		expect(new Set(made).size).toBe(made.length);
		// a new source starts elsewhere: the start is random
		const starts = new Set(Array.from({ length: 20 }, () => partsOf(new IdSource(() => 1).next()).seq));
		expect(starts.size).toBeGreaterThan(15);
	});

	it('keep growing when the clock steps back, and move on a millisecond when the sequence runs out', () => {
		let clock = 2_000_000;
		const source = new IdSource(() => clock);
		const first = source.next();
		clock = 1_000_000;
		const second = source.next();
		expect(second > first).toBe(true);
		expect(partsOf(second).ms).toBe(2_000_000);

		// the sequence starts below 2^30, so 2^31 ids in one millisecond would run it out; take its end directly
		const full = new IdSource(() => 5) as unknown as { next(): string; seq: number };
		const before = full.next();
		full.seq = 0x5a3c96e0;
		expect(partsOf(full.next())).toEqual({ ms: 5, seq: 0x5a3c96e1, variant: 0b10 });
		full.seq = 0x7fffffff;
		const after = full.next();
		expect(partsOf(after)).toEqual({ ms: 6, seq: 0, variant: 0b10 });
		expect(after > before).toBe(true);
	});

	it('fill the random part evenly (chi-square over the 43 random bits of 20,000 ids)', () => {
		const source = new IdSource(() => 42);
		const counts = new Array<number>(16).fill(0);
		const n = 20_000;
		for (let i = 0; i < n; i++) {
			const hex = source.next().replace(/-/g, '');
			// the last ten hex digits are random only
			for (const digit of hex.slice(22)) counts[parseInt(digit, 16)]++;
		}
		const expected = (n * 10) / 16;
		const chi = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
		// 15 degrees of freedom: above 37.7 happens once in 1000 runs of a fair source
		expect(chi).toBeLessThan(37.7);
	});

	it('of units carry their campaign', () => {
		const id = unitId('spring~2027');
		expect(campaignOfUnit(id)).toBe('spring~2027');
		expect(validate(id.slice('spring~2027~'.length))).toBe(true);
		expect(campaignOfUnit('no-campaign')).toBeNull();
	});
});
