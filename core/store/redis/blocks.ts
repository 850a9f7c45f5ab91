// Block checks asked for in one tick are read together: one MGET for all of them, where a busy process
// would otherwise send one GET per key and call.

interface Pending {
	keys: string[];
	now: number;
	resolve: (until: number | null) => void;
	reject: (err: unknown) => void;
}

/** Reads the stored block ends of the given abuse keys, in order (null where there is none). */
type ReadEnds = (keys: string[]) => Promise<Array<string | null>>;

/** The latest block end after `now`, or null when none of them is live. */
function liveUntil(ends: Array<string | null | undefined>, now: number): number | null {
	let latest: number | null = null;
	for (const end of ends) {
		const until = Number(end ?? 0);
		if (until > now && (latest === null || until > latest)) latest = until;
	}
	return latest;
}

export class BlockReader {
	private pending: Pending[] = [];

	constructor(private readonly read: ReadEnds) {}

	until(keys: string[], now: number): Promise<number | null> {
		return new Promise((resolve, reject) => {
			if (this.pending.length === 0) setImmediate(() => this.flush());
			this.pending.push({ keys, now, resolve, reject });
		});
	}

	private flush(): void {
		const batch = this.pending;
		this.pending = [];
		const unique = [...new Set(batch.flatMap((p) => p.keys))];
		(unique.length === 0 ? Promise.resolve([]) : this.read(unique)).then(
			(ends) => {
				const byKey = new Map(unique.map((key, i) => [key, ends[i]]));
				for (const p of batch) p.resolve(liveUntil(p.keys.map((key) => byKey.get(key)), p.now));
			},
			(err: unknown) => {
				for (const p of batch) p.reject(err);
			},
		);
	}
}
