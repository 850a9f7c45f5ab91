// Calls that arrive while the event loop is busy go to Redis together: one script run per group (calls one
// script call can serve, such as those of one campaign) and at most `max` calls each, where a busy process
// would send one script call per call. Each call gets its own reply, in the order the calls came.
import { StoreError } from '../../errors';

interface Pending<Req, Res> {
	req: Req;
	resolve: (value: Res) => void;
	reject: (err: unknown) => void;
}

/** Runs the calls of one group in order; a reply of `['error', message]` fails that call alone. */
type RunGroup<Req> = (group: string, reqs: Req[]) => Promise<unknown[]>;

export class TickGroups<Req, Res> {
	private groups = new Map<string, Array<Pending<Req, Res>>>();

	constructor(
		private readonly run: RunGroup<Req>,
		private readonly max: number,
	) {}

	add(group: string, req: Req): Promise<Res> {
		return new Promise<Res>((resolve, reject) => {
			if (this.groups.size === 0) setImmediate(() => this.flush());
			const pending = this.groups.get(group);
			if (pending) pending.push({ req, resolve, reject });
			else this.groups.set(group, [{ req, resolve, reject }]);
		});
	}

	private flush(): void {
		const groups = this.groups;
		this.groups = new Map();
		for (const [group, pending] of groups) {
			for (let i = 0; i < pending.length; i += this.max) void this.send(group, pending.slice(i, i + this.max));
		}
	}

	private async send(group: string, batch: Array<Pending<Req, Res>>): Promise<void> {
		let replies: unknown[];
		try {
			replies = await this.run(
				group,
				batch.map((p) => p.req),
			);
		} catch (err) {
			for (const p of batch) p.reject(err);
			return;
		}
		batch.forEach((p, i) => {
			const reply = replies[i];
			if (!Array.isArray(reply)) p.reject(new StoreError('the Redis store answered fewer outcomes than it was asked for', false));
			else if (reply[0] === 'error') p.reject(new StoreError(`the Redis store failed: ${String(reply[1])}`, false));
			else p.resolve(reply as Res);
		});
	}
}
