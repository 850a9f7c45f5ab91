// Trigger state in the engine's SQLite file, over a connection of its own: WAL, busy_timeout, and every
// write one BEGIN IMMEDIATE transaction, so several processes on one file claim each due entry once.
import type { DatabaseSync } from 'node:sqlite';
import type { SqliteStoreOptions } from '../../api';
import { InvalidArgumentError, StoreError } from '../../errors';
import type { CartState, DueKind } from '../types';
import { migrateSchema, openDatabaseFile, PreparedStatements, type SqlValue } from '../../store/sqlite/connection';
import { TRIGGER_MIGRATIONS } from './sqliteSchema';
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


const PURGE_EVERY_MS = 3_600_000;
const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function wrap(err: unknown): Error {
	if (err instanceof StoreError || err instanceof InvalidArgumentError) return err;
	const message = (err as Error)?.message ?? String(err);
	if (/database is locked|SQLITE_BUSY/i.test(message)) {
		return new StoreError('the trigger database is busy: another process held the write lock longer than the busy timeout; try again', true, { cause: err });
	}
	return new StoreError(`the trigger database failed: ${message}`, false, { cause: err });
}

export class SqliteTriggerStore extends PreparedStatements implements TriggerStore {
	readonly kind = 'sqlite' as const;
	private closed = false;
	private lastPurge = 0;
	private lastDeliveryPurge = 0;

	constructor(db: DatabaseSync) {
		super(db);
	}

	private tx<T>(fn: () => T): T {
		if (this.closed) throw new StoreError('the trigger store is closed', false);
		try {
			this.db.exec('BEGIN IMMEDIATE');
		} catch (err) {
			throw wrap(err);
		}
		try {
			const result = fn();
			this.db.exec('COMMIT');
			return result;
		} catch (err) {
			try {
				this.db.exec('ROLLBACK');
			} catch {
				// already rolled back by SQLite after an I/O error
			}
			throw wrap(err);
		}
	}

	private read<T>(fn: () => T): T {
		if (this.closed) throw new StoreError('the trigger store is closed', false);
		try {
			return fn();
		} catch (err) {
			throw wrap(err);
		}
	}

	// ---------- orders and carts ----------

	async recordOrder(req: OrderRecord): Promise<OrderRecorded> {
		return this.tx(() => {
			const prior = this.get('SELECT purchase_count FROM trig_orders WHERE scope = ? AND order_id = ?', req.scope, req.orderId);
			if (prior) return { duplicate: true, purchaseCount: numOrNull(prior.purchase_count), cart: 'none' };
			let count: number | null = null;
			if (req.customerKey) {
				const row = this.get(
					`INSERT INTO trig_customers (scope, customer_key, purchases) VALUES (?, ?, 1)
					 ON CONFLICT (scope, customer_key) DO UPDATE SET purchases = purchases + 1 RETURNING purchases`,
					req.scope, req.customerKey,
				);
				count = num(row?.purchases);
			}
			this.run('INSERT INTO trig_orders (scope, order_id, purchase_count, seen_at) VALUES (?, ?, ?, ?)', req.scope, req.orderId, count, req.now);
			let cart: OrderRecorded['cart'] = 'none';
			if (req.cartId) {
				const row = this.get("SELECT state, activity_at FROM trig_entries WHERE scope = ? AND kind = 'cart' AND key = ?", req.scope, req.cartId);
				if (!row) {
					// A tombstone, so cart activity delivered after the order cannot re-arm the cart.
					this.run(
						`INSERT INTO trig_entries (scope, kind, key, state, due_at, version, activity_at, payload, updated_at)
						 VALUES (?, 'cart', ?, 'closed', NULL, 1, ?, '{}', ?)`,
						req.scope, req.cartId, req.at, req.now,
					);
				} else {
					const state = String(row.state) as CartState;
					const next: CartState = state === 'fired' ? 'recovered' : state === 'recovered' ? 'recovered' : 'closed';
					if (state === 'open') cart = 'closed';
					if (state === 'fired') cart = 'recovered';
					this.run(
						`UPDATE trig_entries SET state = ?, due_at = NULL, activity_at = MAX(COALESCE(activity_at, 0), ?), version = version + 1, updated_at = ?
						 WHERE scope = ? AND kind = 'cart' AND key = ?`,
						next, req.at, req.now, req.scope, req.cartId,
					);
				}
			}
			return { duplicate: false, purchaseCount: count, cart };
		});
	}

	async trackCart(req: CartRecord): Promise<CartTracked> {
		return this.tx(() => {
			const row = this.get("SELECT state, due_at, activity_at FROM trig_entries WHERE scope = ? AND kind = 'cart' AND key = ?", req.scope, req.cartId);
			const state = row ? (String(row.state) as CartState) : null;
			const act = row ? num(row.activity_at) : 0;
			if (req.checkout) {
				const next: CartState = state === 'fired' || state === 'recovered' ? 'recovered' : 'closed';
				if (!row) {
					this.run(
						`INSERT INTO trig_entries (scope, kind, key, state, due_at, version, customer_key, activity_at, payload, updated_at)
						 VALUES (?, 'cart', ?, 'closed', NULL, 1, ?, ?, ?, ?)`,
						req.scope, req.cartId, req.customerKey, req.at, req.snapshot, req.now,
					);
				} else {
					this.run(
						`UPDATE trig_entries SET state = ?, due_at = NULL, activity_at = MAX(activity_at, ?), version = version + 1, updated_at = ?
						 WHERE scope = ? AND kind = 'cart' AND key = ?`,
						next, req.at, req.now, req.scope, req.cartId,
					);
				}
				return { state: next, deadline: null, stale: false };
			}
			if (row && (req.at < act || (req.at === act && state !== 'open'))) {
				return { state: state as CartState, deadline: numOrNull(row.due_at), stale: true };
			}
			if (state === 'fired' || state === 'recovered') return { state, deadline: null, stale: false };
			this.run(
				`INSERT INTO trig_entries (scope, kind, key, state, due_at, version, customer_key, activity_at, quiet_ms, payload, updated_at)
				 VALUES (?, 'cart', ?, 'open', ?, 1, ?, ?, ?, ?, ?)
				 ON CONFLICT (scope, kind, key) DO UPDATE SET state = 'open', due_at = excluded.due_at, version = version + 1,
				   customer_key = excluded.customer_key, activity_at = excluded.activity_at, quiet_ms = excluded.quiet_ms,
				   payload = excluded.payload, updated_at = excluded.updated_at`,
				req.scope, req.cartId, req.deadline, req.customerKey, req.at, req.quietMs, req.snapshot, req.now,
			);
			return { state: 'open', deadline: req.deadline, stale: false };
		});
	}

	// ---------- webhook deliveries ----------

	async claimDelivery(req: DeliveryClaim): Promise<boolean> {
		const claimed = this.tx(
			() =>
				this.run(
					`INSERT INTO trig_deliveries (scope, key, expires_at) VALUES (?, ?, ?)
					 ON CONFLICT (scope, key) DO UPDATE SET expires_at = excluded.expires_at WHERE trig_deliveries.expires_at <= ?`,
					req.scope, req.key, req.expiresAt, req.now,
				) === 1,
		);
		if (req.now - this.lastDeliveryPurge > PURGE_EVERY_MS) {
			this.lastDeliveryPurge = req.now;
			this.tx(() => this.run('DELETE FROM trig_deliveries WHERE expires_at <= ?', req.now));
		}
		return claimed;
	}

	async releaseDelivery(scope: string, key: string): Promise<void> {
		this.tx(() => this.run('DELETE FROM trig_deliveries WHERE scope = ? AND key = ?', scope, key));
	}

	// ---------- recurring schedules ----------

	async getSchedule(scope: string, kind: RecurringKind, key: string): Promise<ScheduleEntry | null> {
		return this.read(() => {
			const r = this.get(
				'SELECT state, due_at, version, occurrence, last_fired, payload FROM trig_entries WHERE scope = ? AND kind = ? AND key = ?',
				scope, kind, key,
			);
			if (!r) return null;
			return {
				kind,
				key,
				version: num(r.version),
				state: String(r.state) as ScheduleEntry['state'],
				dueAt: numOrNull(r.due_at),
				occurrence: strOrNull(r.occurrence),
				lastFired: strOrNull(r.last_fired),
				payload: String(r.payload),
			};
		});
	}

	async putSchedule(req: SchedulePut): Promise<boolean> {
		return this.tx(() => {
			const state = req.dueAt === null ? 'done' : 'armed';
			if (req.expectVersion === null) {
				return (
					this.run(
						`INSERT INTO trig_entries (scope, kind, key, state, due_at, version, occurrence, payload, updated_at)
						 VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT DO NOTHING`,
						req.scope, req.kind, req.key, state, req.dueAt, req.occurrence, req.payload, req.now,
					) === 1
				);
			}
			return (
				this.run(
					`UPDATE trig_entries SET state = ?, due_at = ?, occurrence = ?, payload = ?, version = version + 1, updated_at = ?
					 WHERE scope = ? AND kind = ? AND key = ? AND version = ?`,
					state, req.dueAt, req.occurrence, req.payload, req.now, req.scope, req.kind, req.key, req.expectVersion,
				) === 1
			);
		});
	}

	async removeSchedule(scope: string, kind: RecurringKind, key: string): Promise<void> {
		this.tx(() => this.run('DELETE FROM trig_entries WHERE scope = ? AND kind = ? AND key = ?', scope, kind, key));
	}

	// ---------- claiming ----------

	private claimSql(kinds: DueKind[]): string {
		// One ordered index range per kind, merged: an IN list over kinds would sort every due row.
		const parts = kinds.map(
			() => `SELECT * FROM (SELECT kind, key, state, due_at, version, occurrence, customer_key, quiet_ms, payload FROM trig_entries
				WHERE scope = ? AND kind = ? AND due_at IS NOT NULL AND due_at <= ? ORDER BY due_at LIMIT ?)`,
		);
		return `${parts.join(' UNION ALL ')} ORDER BY due_at, kind, key LIMIT ?`;
	}

	async claimDue(req: ClaimRequest): Promise<ClaimedEntry[]> {
		if (req.kinds.length === 0) return [];
		const claimed = this.tx(() => {
			const params: SqlValue[] = [];
			for (const kind of req.kinds) params.push(req.scope, kind, req.now, req.limit);
			params.push(req.limit);
			const rows = this.all(this.claimSql(req.kinds), ...params);
			const out: ClaimedEntry[] = [];
			for (const r of rows) {
				const kind = String(r.kind) as DueKind;
				const key = String(r.key);
				const version = num(r.version) + 1;
				const base = { kind, key, dueAt: num(r.due_at), occurrence: strOrNull(r.occurrence), version, payload: String(r.payload) };
				if (kind === 'cart') {
					if (String(r.state) !== 'open') continue;
					const fire = this.claimCart(req, key, strOrNull(r.customer_key), num(r.quiet_ms));
					out.push({ ...base, fire });
				} else if (String(r.state) === 'armed') {
					this.run(
						`UPDATE trig_entries SET state = 'claimed', last_fired = occurrence, due_at = ?, version = ?, fired_by = ?, updated_at = ?
						 WHERE scope = ? AND kind = ? AND key = ?`,
						req.now + req.leaseMs, version, req.workerId, req.now, req.scope, kind, key,
					);
					out.push({ ...base, fire: true });
				} else {
					this.run(
						'UPDATE trig_entries SET due_at = ?, version = ?, updated_at = ? WHERE scope = ? AND kind = ? AND key = ?',
						req.now + req.leaseMs, version, req.now, req.scope, kind, key,
					);
					out.push({ ...base, fire: false });
				}
			}
			return out;
		});
		if (req.now - this.lastPurge > PURGE_EVERY_MS) this.purge(req.now - req.retentionMs, req.now);
		return claimed;
	}

	private claimCart(req: ClaimRequest, key: string, customerKey: string | null, quietMs: number): boolean {
		let fire = true;
		if (customerKey) {
			const c = this.get('SELECT quiet_until FROM trig_customers WHERE scope = ? AND customer_key = ?', req.scope, customerKey);
			if (c && c.quiet_until !== null && num(c.quiet_until) > req.now) fire = false;
			else if (quietMs > 0) {
				this.run(
					`INSERT INTO trig_customers (scope, customer_key, quiet_until) VALUES (?, ?, ?)
					 ON CONFLICT (scope, customer_key) DO UPDATE SET quiet_until = excluded.quiet_until`,
					req.scope, customerKey, req.now + quietMs,
				);
			}
		}
		this.run(
			`UPDATE trig_entries SET state = ?, due_at = NULL, version = version + 1, fired_by = ?, updated_at = ?
			 WHERE scope = ? AND kind = 'cart' AND key = ?`,
			fire ? 'fired' : 'suppressed', req.workerId, req.now, req.scope, key,
		);
		return fire;
	}

	private purge(before: number, now: number): void {
		this.lastPurge = now;
		this.tx(() => {
			this.run("DELETE FROM trig_entries WHERE kind = 'cart' AND due_at IS NULL AND updated_at < ?", before);
			this.run('DELETE FROM trig_orders WHERE seen_at < ?', before);
		});
	}

	async nextDueAt(scope: string, kinds: DueKind[]): Promise<number | null> {
		return this.read(() => {
			let best: number | null = null;
			for (const kind of kinds) {
				const r = this.get('SELECT MIN(due_at) AS at FROM trig_entries WHERE scope = ? AND kind = ? AND due_at IS NOT NULL', scope, kind);
				const at = numOrNull(r?.at);
				if (at !== null && (best === null || at < best)) best = at;
			}
			return best;
		});
	}

	// ---------- expiring notices ----------

	async putExpiring(req: ExpiringPut): Promise<void> {
		this.tx(() =>
			this.run(
				`INSERT INTO trig_expiring (scope, cursor_name, code, due_at, payload) VALUES (?, ?, ?, ?, ?)
				 ON CONFLICT DO UPDATE SET due_at = excluded.due_at, payload = excluded.payload`,
				req.scope, req.cursorName, req.code, req.dueAt, req.payload,
			),
		);
	}

	async dueExpiring(scope: string, cursorName: string, now: number, limit: number): Promise<Array<{ code: string; dueAt: number; payload: string }>> {
		return this.read(() =>
			this.all(
				'SELECT code, due_at, payload FROM trig_expiring WHERE scope = ? AND cursor_name = ? AND due_at <= ? ORDER BY due_at, code LIMIT ?',
				scope, cursorName, now, limit,
			).map((r) => ({ code: String(r.code), dueAt: num(r.due_at), payload: String(r.payload) })),
		);
	}

	async removeExpiring(scope: string, cursorName: string, codes: string[]): Promise<void> {
		if (codes.length === 0) return;
		this.tx(() => {
			for (const code of codes) this.run('DELETE FROM trig_expiring WHERE scope = ? AND cursor_name = ? AND code = ?', scope, cursorName, code);
		});
	}

	// ---------- cursors ----------

	async leaseCursor(scope: string, name: string, token: string, now: number, leaseMs: number): Promise<CursorLease | null> {
		return this.tx(() => {
			const r = this.get('SELECT cursor, lease_token, lease_until FROM trig_cursors WHERE scope = ? AND name = ?', scope, name);
			if (r && r.lease_token !== null && r.lease_token !== token && num(r.lease_until) > now) return null;
			this.run(
				`INSERT INTO trig_cursors (scope, name, cursor, lease_token, lease_until, updated_at) VALUES (?, ?, NULL, ?, ?, ?)
				 ON CONFLICT DO UPDATE SET lease_token = excluded.lease_token, lease_until = excluded.lease_until`,
				scope, name, token, now + leaseMs, now,
			);
			return { cursor: r ? strOrNull(r.cursor) : null };
		});
	}

	async commitCursor(scope: string, name: string, token: string, cursor: string, now: number): Promise<boolean> {
		return this.tx(
			() =>
				this.run(
					`UPDATE trig_cursors SET cursor = ?, lease_token = NULL, lease_until = NULL, updated_at = ?
					 WHERE scope = ? AND name = ? AND lease_token = ?`,
					cursor, now, scope, name, token,
				) === 1,
		);
	}

	async releaseCursor(scope: string, name: string, token: string): Promise<void> {
		this.tx(() =>
			this.run('UPDATE trig_cursors SET lease_token = NULL, lease_until = NULL WHERE scope = ? AND name = ? AND lease_token = ?', scope, name, token),
		);
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		this.forgetStatements();
		this.db.close();
	}
}

/** Opens its own connection on the engine's database file and creates the trig_ tables. */
export async function openSqliteTriggerStore(options: SqliteStoreOptions): Promise<SqliteTriggerStore> {
	const db = await openDatabaseFile(options, 'trigger database');
	migrateSchema(db, options.path, 'trig_meta', TRIGGER_MIGRATIONS, 'trigger database');
	return new SqliteTriggerStore(db);
}
