import { randomFillSync } from 'node:crypto';

/** ASCII of the two hex digits of each byte. */
const HEX_DIGITS = new Uint8Array(512);
for (let i = 0; i < 256; i++) {
	const hex = i.toString(16).padStart(2, '0');
	HEX_DIGITS[2 * i] = hex.charCodeAt(0);
	HEX_DIGITS[2 * i + 1] = hex.charCodeAt(1);
}
const SEQ_MAX = 0x7fffffff;

/**
 * Time-ordered ids (uuid v7, RFC 9562), each greater than the one before from the same source: the
 * 48-bit millisecond time, then a 31-bit sequence in rand_a and the top of rand_b that starts at a random
 * value below 2^30 each millisecond and counts up within it, then 43 random bits. A clock that steps back
 * keeps the last time, and a sequence that runs out moves the time on by a millisecond (the method 3
 * "monotonic random" of the RFC).
 *
 * Random bytes come from a pool filled by the CSPRNG 16 KiB at a time (the uuid package refilled 256 bytes
 * every fifteen ids, a fifth of what the engine itself spent on a redeem), and the text is written into
 * one buffer and read out as one string, where joining twenty pieces made twenty strings.
 */
export class IdSource {
	private readonly pool = Buffer.allocUnsafe(16_384);
	private at = this.pool.length;
	private readonly text = Buffer.from('00000000-0000-7000-8000-000000000000', 'latin1');
	private ms = -1;
	private seq = 0;

	constructor(private readonly clock: () => number = Date.now) {}

	next(): string {
		if (this.at + 10 > this.pool.length) {
			randomFillSync(this.pool);
			this.at = 0;
		}
		const p = this.pool;
		const i = this.at;
		this.at = i + 10;
		const now = this.clock();
		if (now > this.ms) {
			this.ms = now;
			this.seq = ((p[i + 6] << 22) | (p[i + 7] << 14) | (p[i + 8] << 6) | (p[i + 9] >> 2)) & 0x3fffffff;
		} else if (this.seq < SEQ_MAX) {
			this.seq++;
		} else {
			this.ms++;
			this.seq = 0;
		}
		const ms = this.ms;
		const seq = this.seq;
		const high = Math.floor(ms / 0x1000000);
		const low = ms % 0x1000000;
		this.hex(0, (high >>> 16) & 0xff);
		this.hex(2, (high >>> 8) & 0xff);
		this.hex(4, high & 0xff);
		this.hex(6, low >>> 16);
		this.hex(9, (low >>> 8) & 0xff);
		this.hex(11, low & 0xff);
		// '7', then the top four bits of the sequence as one digit (rand_a is twelve bits)
		this.text[15] = HEX_DIGITS[2 * (seq >>> 27) + 1];
		this.hex(16, (seq >>> 19) & 0xff);
		this.hex(19, 0x80 | ((seq >>> 13) & 0x3f));
		this.hex(21, (seq >>> 5) & 0xff);
		this.hex(24, ((seq & 0x1f) << 3) | (p[i] & 0x07));
		this.hex(26, p[i + 1]);
		this.hex(28, p[i + 2]);
		this.hex(30, p[i + 3]);
		this.hex(32, p[i + 4]);
		this.hex(34, p[i + 5]);
		return this.text.toString('latin1', 0, 36);
	}

	private hex(at: number, byte: number): void {
		this.text[at] = HEX_DIGITS[2 * byte];
		this.text[at + 1] = HEX_DIGITS[2 * byte + 1];
	}
}

const ids = new IdSource();

/** Time-ordered id (uuid v7) for ledger events. */
export function newId(): string {
	return ids.next();
}

/** Reservation and redemption ids carry their campaign so a store can route them without a lookup. */
export function unitId(campaignId: string): string {
	return `${campaignId}~${ids.next()}`;
}

export function campaignOfUnit(id: string): string | null {
	const at = id.lastIndexOf('~');
	return at > 0 ? id.slice(0, at) : null;
}
