// A caller is blocked until the latest live end among the blocks of its abuse keys.
import type { TickReads } from './tickReads';

/** The latest block end after `now`, or null when none of them is live. */
function liveUntil(ends: Array<string | null>, now: number): number | null {
	let latest: number | null = null;
	for (const end of ends) {
		const until = Number(end ?? 0);
		if (until > now && (latest === null || until > latest)) latest = until;
	}
	return latest;
}

export class BlockReader {
	constructor(
		private readonly reads: TickReads,
		private readonly keyOf: (abuseKey: string) => string,
	) {}

	async until(abuseKeys: string[], now: number): Promise<number | null> {
		return liveUntil(await Promise.all(abuseKeys.map((k) => this.reads.get(this.keyOf(k)))), now);
	}
}
