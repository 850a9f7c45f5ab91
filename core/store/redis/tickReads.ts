// Plain GETs asked for while the event loop is busy go to Redis together: one MGET where a busy process
// would send one GET per call (code → campaign lookups, abuse blocks).

/** Reads the values of the given keys, in order (null where a key is missing). */
export type ReadValues = (keys: string[]) => Promise<Array<string | null>>;

interface Waiter {
	resolve: (value: string | null) => void;
	reject: (err: unknown) => void;
}

export class TickReads {
	private pending = new Map<string, Waiter[]>();

	constructor(private readonly read: ReadValues) {}

	get(key: string): Promise<string | null> {
		return new Promise((resolve, reject) => {
			if (this.pending.size === 0) setImmediate(() => this.flush());
			const waiters = this.pending.get(key);
			if (waiters) waiters.push({ resolve, reject });
			else this.pending.set(key, [{ resolve, reject }]);
		});
	}

	private flush(): void {
		const batch = this.pending;
		this.pending = new Map();
		const keys = [...batch.keys()];
		this.read(keys).then(
			(values) => {
				keys.forEach((key, i) => {
					for (const w of batch.get(key) ?? []) w.resolve(values[i] ?? null);
				});
			},
			(err: unknown) => {
				for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
			},
		);
	}
}
