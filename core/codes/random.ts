import { randomFillSync } from 'node:crypto';

/**
 * Bytes from the CSPRNG, fetched a block at a time (one call per block is what makes it fast); each
 * byte is used once. The hot loop reads `bytes` at `offset` itself, moves `offset` on, and calls
 * `refill` when the block is used up.
 */
export class RandomBytes {
	readonly bytes: Uint8Array;
	offset: number;

	constructor(size = 64 * 1024) {
		this.bytes = new Uint8Array(size);
		this.offset = size;
	}

	/** Fetches a fresh block and starts over at its first byte. */
	refill(): void {
		randomFillSync(this.bytes);
		this.offset = 0;
	}
}
