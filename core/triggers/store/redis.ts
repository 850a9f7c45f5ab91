// Trigger state in Redis over a connection of its own, under the engine's key prefix + `trig:`.
// Every read-modify-write is one Lua script (store/lua/*.lua), loaded once per connection.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis, { Cluster, type RedisOptions } from 'ioredis';
import type { RedisStoreOptions } from '../../api';
import { InvalidArgumentError, StoreError } from '../../errors';
import { redactCause, redactText, storeSecrets } from '../../redact';
import { clusterNode, DISCONNECT_TIMEOUT_MS } from '../../store/redis/connection';
import type { CartState, DueKind } from '../types';
import { CLAIM_KINDS, TriggerKeys } from './keys';
import type {
	CartRecord,
	CartTracked,
	ClaimedEntry,
	ClaimRequest,
	CursorLease,
	DeliveryClaim,
	ExpiringPut,
	OrderRecord,
	OrderRecorded,
	RecurringKind,
	ScheduleEntry,
	SchedulePut,
	TriggerStore,
} from './types';

type Reply = unknown;
type ScriptFn = (...args: string[]) => Promise<Reply>;

const SCRIPTS = {
	trigRecordOrder: 'recordOrder-4.lua',
	trigClaimDelivery: 'claimDelivery-1.lua',
	trigTrackCart: 'trackCart-2.lua',
	trigClaimDue: 'claimDue-4.lua',
	trigPutSchedule: 'putSchedule-2.lua',
	trigLeaseCursor: 'leaseCursor-1.lua',
	trigCommitCursor: 'commitCursor-1.lua',
	trigReleaseCursor: 'releaseCursor-1.lua',
} as const;
type ScriptName = keyof typeof SCRIPTS;
type Client = (Redis | Cluster) & Record<ScriptName, ScriptFn>;

function strings(reply: Reply, what: string): string[] {
	if (!Array.isArray(reply)) throw new StoreError(`Redis answered ${what} with something other than a list`, false);
	return reply.map((v) => (v === null || v === undefined ? '' : String(v)));
}

const orNull = (s: string | undefined): string | null => (s === undefined || s === '' ? null : s);
const numOrNull = (s: string | undefined): number | null => (s === undefined || s === '' ? null : Number(s));

export class RedisTriggerStore implements TriggerStore {
	readonly kind = 'redis' as const;
	private closed = false;

	constructor(
		private readonly client: Client,
		private readonly keys: TriggerKeys,
	) {}

	private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
		if (this.closed) throw new StoreError('the trigger store is closed', false);
		try {
			return await fn();
		} catch (err) {
			if (err instanceof StoreError) throw err;
			const message = (err as Error)?.message ?? String(err);
			// ioredis errors carry the failed command with its arguments: hand on only name and message.
			throw new StoreError(`Redis failed during ${what}: ${message}`, !/ERR|NOSCRIPT|WRONGTYPE/.test(message), { cause: redactCause(err, []) });
		}
	}

	async recordOrder(req: OrderRecord): Promise<OrderRecorded> {
		const k = this.keys;
		const r = strings(
			await this.call('recordOrder', () =>
				this.client.trigRecordOrder(
					k.order(req.scope, req.orderId),
					req.customerKey ? k.customer(req.scope, req.customerKey) : k.none(req.scope),
					req.cartId ? k.entry(req.scope, 'cart', req.cartId) : k.none(req.scope),
					k.due(req.scope, 'cart'),
					req.customerKey ? '1' : '0',
					req.cartId ?? '',
					String(req.at),
					String(req.now),
					String(req.retentionMs),
				),
			),
			'recordOrder',
		);
		return { duplicate: r[0] === '1', purchaseCount: numOrNull(r[1]), cart: r[2] as OrderRecorded['cart'] };
	}

	async trackCart(req: CartRecord): Promise<CartTracked> {
		const r = strings(
			await this.call('trackCart', () =>
				this.client.trigTrackCart(
					this.keys.entry(req.scope, 'cart', req.cartId),
					this.keys.due(req.scope, 'cart'),
					req.cartId,
					req.checkout ? '1' : '0',
					String(req.at),
					req.deadline === null ? '' : String(req.deadline),
					req.snapshot,
					req.customerKey ?? '',
					String(req.quietMs),
					String(req.now),
					String(req.retentionMs),
				),
			),
			'trackCart',
		);
		return { state: r[0] as CartState, deadline: numOrNull(r[1]), stale: r[2] === '1' };
	}

	async claimDelivery(req: DeliveryClaim): Promise<boolean> {
		const ttl = Math.max(1, Math.ceil(req.expiresAt - req.now));
		const r = await this.call('claimDelivery', () =>
			this.client.trigClaimDelivery(this.keys.delivery(req.scope, req.key), String(req.now), String(req.expiresAt), String(ttl)),
		);
		return Number(r) === 1;
	}

	async releaseDelivery(scope: string, key: string): Promise<void> {
		await this.call('releaseDelivery', () => this.client.del(this.keys.delivery(scope, key)));
	}

	async getSchedule(scope: string, kind: RecurringKind, key: string): Promise<ScheduleEntry | null> {
		const h = await this.call('getSchedule', () => this.client.hgetall(this.keys.entry(scope, kind, key)));
		if (!h.st) return null;
		return {
			kind,
			key,
			version: Number(h.v),
			state: h.st as ScheduleEntry['state'],
			dueAt: numOrNull(h.due),
			occurrence: orNull(h.occ),
			lastFired: orNull(h.lf),
			payload: h.p ?? '{}',
		};
	}

	async putSchedule(req: SchedulePut): Promise<boolean> {
		const r = await this.call('putSchedule', () =>
			this.client.trigPutSchedule(
				this.keys.entry(req.scope, req.kind, req.key),
				this.keys.due(req.scope, req.kind),
				req.key,
				req.expectVersion === null ? '' : String(req.expectVersion),
				req.dueAt === null ? '' : String(req.dueAt),
				req.occurrence ?? '',
				req.payload,
				String(req.now),
			),
		);
		return Number(r) === 1;
	}

	async removeSchedule(scope: string, kind: RecurringKind, key: string): Promise<void> {
		await this.call('removeSchedule', () =>
			this.client.multi().del(this.keys.entry(scope, kind, key)).zrem(this.keys.due(scope, kind), key).exec(),
		);
	}

	async claimDue(req: ClaimRequest): Promise<ClaimedEntry[]> {
		if (req.kinds.length === 0) return [];
		const flags = CLAIM_KINDS.map((k) => (req.kinds.includes(k) ? '1' : '0')).join('');
		const r = strings(
			await this.call('claimDue', () =>
				this.client.trigClaimDue(
					...CLAIM_KINDS.map((k) => this.keys.due(req.scope, k)),
					String(req.now),
					String(req.limit),
					String(req.leaseMs),
					req.workerId,
					this.keys.entryPrefix(req.scope),
					this.keys.customerPrefix(req.scope),
					String(req.retentionMs),
					flags,
				),
			),
			'claimDue',
		);
		const out: ClaimedEntry[] = [];
		for (let i = 0; i + 6 < r.length; i += 7) {
			out.push({
				kind: r[i] as DueKind,
				key: r[i + 1],
				fire: r[i + 2] === '1',
				dueAt: Number(r[i + 3]),
				occurrence: orNull(r[i + 4]),
				version: Number(r[i + 5]),
				payload: r[i + 6],
			});
		}
		return out;
	}

	async nextDueAt(scope: string, kinds: DueKind[]): Promise<number | null> {
		let best: number | null = null;
		const firsts = await this.call('nextDueAt', () =>
			Promise.all(kinds.map((k) => this.client.zrange(this.keys.due(scope, k), 0, 0, 'WITHSCORES'))),
		);
		for (const f of firsts) {
			if (f.length >= 2) {
				const at = Number(f[1]);
				if (best === null || at < best) best = at;
			}
		}
		return best;
	}

	async putExpiring(req: ExpiringPut): Promise<void> {
		await this.call('putExpiring', () =>
			this.client
				.multi()
				.zadd(this.keys.expiringDue(req.scope, req.cursorName), String(req.dueAt), req.code)
				.hset(this.keys.expiringData(req.scope, req.cursorName), req.code, req.payload)
				.exec(),
		);
	}

	async dueExpiring(scope: string, cursorName: string, now: number, limit: number): Promise<Array<{ code: string; dueAt: number; payload: string }>> {
		const r = await this.call('dueExpiring', () =>
			this.client.zrangebyscore(this.keys.expiringDue(scope, cursorName), '-inf', String(now), 'WITHSCORES', 'LIMIT', 0, limit),
		);
		const codes: string[] = [];
		const dues: number[] = [];
		for (let i = 0; i + 1 < r.length; i += 2) {
			codes.push(r[i]);
			dues.push(Number(r[i + 1]));
		}
		if (codes.length === 0) return [];
		const payloads = await this.call('dueExpiring', () => this.client.hmget(this.keys.expiringData(scope, cursorName), ...codes));
		return codes.map((code, i) => ({ code, dueAt: dues[i], payload: payloads[i] ?? '{}' }));
	}

	async removeExpiring(scope: string, cursorName: string, codes: string[]): Promise<void> {
		if (codes.length === 0) return;
		await this.call('removeExpiring', () =>
			this.client
				.multi()
				.zrem(this.keys.expiringDue(scope, cursorName), ...codes)
				.hdel(this.keys.expiringData(scope, cursorName), ...codes)
				.exec(),
		);
	}

	async leaseCursor(scope: string, name: string, token: string, now: number, leaseMs: number): Promise<CursorLease | null> {
		const r = strings(
			await this.call('leaseCursor', () => this.client.trigLeaseCursor(this.keys.cursor(scope, name), token, String(now), String(leaseMs))),
			'leaseCursor',
		);
		return r[0] === '1' ? { cursor: orNull(r[1]) } : null;
	}

	async commitCursor(scope: string, name: string, token: string, cursor: string): Promise<boolean> {
		const r = await this.call('commitCursor', () => this.client.trigCommitCursor(this.keys.cursor(scope, name), token, cursor));
		return Number(r) === 1;
	}

	async releaseCursor(scope: string, name: string, token: string): Promise<void> {
		await this.call('releaseCursor', () => this.client.trigReleaseCursor(this.keys.cursor(scope, name), token));
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		try {
			await this.client.quit();
		} catch {
			this.client.disconnect();
		}
	}
}

function loadScripts(client: Redis | Cluster): Client {
	for (const [name, file] of Object.entries(SCRIPTS)) {
		const numberOfKeys = Number(/-(\d+)\.lua$/.exec(file)?.[1]);
		client.defineCommand(name, { numberOfKeys, lua: readFileSync(join(__dirname, 'lua', file), 'utf8') });
	}
	return client as Client;
}

/** Opens its own connection with the engine's Redis settings. */
export async function openRedisTriggerStore(options: RedisStoreOptions): Promise<RedisTriggerStore> {
	const keyPrefix = options.keyPrefix ?? 'ck:';
	if (typeof keyPrefix !== 'string' || /[{}]/.test(keyPrefix)) throw new InvalidArgumentError('store.keyPrefix', 'must be a string without braces');
	const common: RedisOptions = {
		username: options.username,
		password: options.password,
		db: options.db,
		tls: options.tls ? {} : undefined,
		commandTimeout: options.commandTimeoutMs ?? 5000,
		disconnectTimeout: DISCONNECT_TIMEOUT_MS,
		connectionName: 'coupon-kit-triggers',
	};
	let raw: Redis | Cluster;
	if (options.cluster?.length) {
		raw = new Cluster(options.cluster.map(clusterNode), { redisOptions: common });
	} else if (options.url) {
		raw = new Redis(options.url, common);
	} else {
		raw = new Redis({ ...common, host: options.host ?? '127.0.0.1', port: options.port ?? 6379 });
	}
	let lastError: Error | null = null;
	raw.on('error', (err: Error) => {
		lastError = err;
	});
	const client = loadScripts(raw);
	try {
		await client.ping();
	} catch (err) {
		client.disconnect();
		// An AUTH that failed carries the password in its command arguments: never pass it on as it came.
		const cause = lastError ?? (err as Error);
		const secrets = storeSecrets(options);
		throw new StoreError(`cannot reach Redis for the trigger store: ${redactText(cause.message, secrets)}`, true, { cause: redactCause(cause, secrets) });
	}
	return new RedisTriggerStore(client, new TriggerKeys(keyPrefix));
}
