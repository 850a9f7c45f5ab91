/**
 * Fixed-width rows of ASCII bytes (codes) with a hash each, kept unique by an open-addressing table.
 * Putting a million strings into a Set costs more than generating them; comparing bytes under a hash
 * the generator already has in hand does not. Strings are made once, at the end.
 */
export class UniqueRows {
	readonly bytes: Uint8Array;
	readonly hashes: Int32Array;
	/**
	 * Two numbers per bucket, side by side so one cache line answers most probes: the mixed hash, and
	 * row number + 1 (0: empty bucket). Load stays at or below one half.
	 */
	private readonly buckets: Int32Array;
	private readonly mask: number;
	private readonly width: number;

	/** Room for `capacity` rows, each starting out as `template` (a code's literals). */
	constructor(template: Uint8Array, capacity: number) {
		this.width = template.length;
		this.bytes = new Uint8Array(capacity * this.width);
		fillRows(this.bytes, template);
		this.hashes = new Int32Array(capacity);
		let size = 2;
		while (size < capacity * 2) size *= 2;
		this.buckets = new Int32Array(size * 2);
		this.mask = size - 1;
	}

	/** Enters row `row` unless an equal row was entered before; false when it is a duplicate. */
	keep(row: number): boolean {
		const h = mix(this.hashes[row]);
		const { buckets, bytes, width, mask } = this;
		for (let b = h & mask; ; b = (b + 1) & mask) {
			const other = buckets[2 * b + 1] - 1;
			if (other < 0) {
				buckets[2 * b] = h;
				buckets[2 * b + 1] = row + 1;
				return true;
			}
			if (buckets[2 * b] === h && sameRow(bytes, other * width, row * width, width)) return false;
		}
	}

	/** All rows as strings, in row order. */
	toStrings(): string[] {
		const { width } = this;
		const count = this.hashes.length;
		const out = new Array<string>(count);
		// One string per chunk, then cut: keeps far below the engine's string length limit.
		const rowsPerChunk = Math.max(1, Math.floor((1 << 20) / width));
		const buffer = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
		for (let first = 0; first < count; first += rowsPerChunk) {
			const rows = Math.min(rowsPerChunk, count - first);
			const text = buffer.toString('latin1', first * width, (first + rows) * width);
			for (let r = 0; r < rows; r++) out[first + r] = text.slice(r * width, (r + 1) * width);
		}
		return out;
	}
}

function fillRows(bytes: Uint8Array, template: Uint8Array): void {
	if (bytes.length === 0) return;
	bytes.set(template, 0);
	for (let filled = template.length; filled < bytes.length; filled *= 2) {
		bytes.copyWithin(filled, 0, Math.min(filled, bytes.length - filled));
	}
}

function sameRow(bytes: Uint8Array, a: number, b: number, width: number): boolean {
	for (let i = 0; i < width; i++) if (bytes[a + i] !== bytes[b + i]) return false;
	return true;
}

/** murmur3's finaliser: every input bit reaches the low bits the bucket is taken from. */
function mix(h: number): number {
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	h = Math.imul(h, 0xc2b2ae35);
	return h ^ (h >>> 16);
}
