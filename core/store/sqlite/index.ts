// The embedded store: one SQLite file (node:sqlite), WAL, every operation one `BEGIN IMMEDIATE` transaction,
// so several processes may share the file.
import type { DatabaseSync } from 'node:sqlite';
import type { SqliteStoreOptions } from '../../api';
import { keysWithOwner } from '../../customers';
import { InvalidArgumentError, StoreError } from '../../errors';
import type {
	Campaign,
	CustomerProfile,
	LedgerEvent,
	LedgerEventType,
	RejectionReason,
	StoredCustomer,
} from '../../types';
import type {
	AuditCounts,
	CouponStore,
	EventDraft,
	FinishOutcome,
	FinishRequest,
	GenerateBatchOutcome,
	GenerateBatchRequest,
	IdempotencyClaim,
	IssueOutcome,
	IssueRequest,
	LimitSnapshot,
	RedeemOutcome,
	RedeemRequest,
	RejectionRecord,
	RejectionRecorded,
	StatRow,
	StoreEventsQuery,
	StoredCode,
	Usage,
	UsageQuery,
	VoidOutcome,
	VoidRequest,
} from '../types';
import { migrateSchema, openDatabaseFile, PreparedStatements, type Row, type SqlValue } from './connection';
import { MIGRATIONS } from './schema';


const num = (v: unknown): number => Number(v ?? 0);
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function rowToCode(r: Row, reserved: number): StoredCode {
	return {
		key: String(r.key),
		code: r.code === null ? String(r.key) : String(r.code),
		campaignId: String(r.campaign_id),
		customerId: str(r.customer_id),
		email: str(r.email),
		channel: str(r.channel),
		issuedAt: num(r.issued_at),
		expiresAt: r.expires_at === null ? null : num(r.expires_at),
		voidedAt: r.voided_at === null ? null : num(r.voided_at),
		redemptions: num(r.redemptions),
		reserved,
		metadata: r.metadata ? (JSON.parse(String(r.metadata)) as Record<string, unknown>) : {},
	};
}

function rowToEvent(r: Row): LedgerEvent {
	return {
		id: String(r.id),
		type: String(r.type) as LedgerEventType,
		at: new Date(num(r.at)).toISOString(),
		campaignId: str(r.campaign_id),
		code: str(r.code),
		customerId: str(r.customer_id),
		channel: str(r.channel),
		count: num(r.count),
		amount: r.amount === null ? null : num(r.amount),
		reason: (str(r.reason) as RejectionReason | null) ?? null,
		data: r.data ? (JSON.parse(String(r.data)) as Record<string, unknown>) : {},
	};
}

function rowToCustomer(r: Row): StoredCustomer {
	return JSON.parse(String(r.data)) as StoredCustomer;
}

const CHUNK = 500;
const CHUNK_VALUES = new Array(CHUNK).fill('(?, ?, ?, ?, ?, ?)').join(', ');

class Rejected {
	constructor(
		readonly reason: RejectionReason,
		readonly code: StoredCode,
	) {}
}

/** Outcomes that wrote nothing and are never kept under an idempotency key. */
const UNSTORED = new Set(['stale', 'duplicate', 'missing', 'blocked']);

/** A campaign's row of `campaign_counters`, as the redeems of one group commit see it. */
interface Counters {
	version: number;
	redeemed: number;
	holdUntilMax: number;
}

export class SqliteStore extends PreparedStatements implements CouponStore {
	readonly kind = 'sqlite' as const;
	private pending: Array<{
		fn: () => unknown;
		keepsCounters: boolean;
		resolve: (value: unknown) => void;
		reject: (err: unknown) => void;
	}> = [];
	/**
	 * The counters rows read during one group commit. The transaction holds the write lock, so only its own
	 * writes change them: a redeem or reservation keeps its row up to date here; any other write, and any
	 * write that fails, empties the map.
	 */
	private groupCounters: Map<string, Counters> | null = null;
	private flushScheduled = false;
	private closed = false;

	constructor(db: DatabaseSync) {
		super(db);
	}

	/**
	 * Queues one atomic write. Writes queued while the event loop is busy are committed together
	 * (group commit): one `BEGIN IMMEDIATE` … `COMMIT`, each write inside its own savepoint so a failing
	 * one is undone alone. Every caller is answered only after the COMMIT.
	 */
	private tx<T>(fn: () => T, keepsCounters = false): Promise<T> {
		if (this.closed) return Promise.reject(new StoreError('the store is closed', false));
		return new Promise<T>((resolve, reject) => {
			this.pending.push({ fn, keepsCounters, resolve: resolve as (value: unknown) => void, reject });
			if (!this.flushScheduled) {
				this.flushScheduled = true;
				setImmediate(() => this.flush());
			}
		});
	}

	private flush(): void {
		this.flushScheduled = false;
		const batch = this.pending;
		this.pending = [];
		if (batch.length === 0) return;
		const failAll = (err: unknown) => {
			const e = wrapSqliteError(err);
			for (const p of batch) p.reject(e);
		};
		if (this.closed) return failAll(new StoreError('the store is closed', false));
		try {
			this.run('BEGIN IMMEDIATE');
		} catch (err) {
			return failAll(err);
		}
		// A write alone in its transaction needs no savepoint: its failure rolls the transaction back.
		const alone = batch.length === 1;
		const results: Array<{ ok: boolean; value: unknown }> = [];
		this.groupCounters = new Map();
		try {
			for (const p of batch) {
				if (!alone) this.run('SAVEPOINT op');
				try {
					const value = p.fn();
					if (!alone) this.run('RELEASE op');
					if (!p.keepsCounters) this.groupCounters.clear();
					results.push({ ok: true, value });
				} catch (err) {
					this.groupCounters.clear();
					if (alone) throw err;
					this.run('ROLLBACK TO op');
					this.run('RELEASE op');
					results.push({ ok: false, value: wrapSqliteError(err) });
				}
			}
			this.run('COMMIT');
		} catch (err) {
			try {
				this.db.exec('ROLLBACK');
			} catch {
				// the transaction may already be gone after an I/O error
			}
			return failAll(err);
		} finally {
			this.groupCounters = null;
		}
		batch.forEach((p, i) => (results[i].ok ? p.resolve(results[i].value) : p.reject(results[i].value)));
	}

	private read<T>(fn: () => T): T {
		if (this.closed) throw new StoreError('the store is closed', false);
		try {
			return fn();
		} catch (err) {
			throw wrapSqliteError(err);
		}
	}

	// ---------- events ----------

	private append(draft: EventDraft, type: LedgerEventType, count: number, reason: RejectionReason | null, over: Partial<EventDraft> = {}): void {
		const e = { ...draft, ...over };
		this.run(
			`INSERT INTO events (id, type, at, campaign_id, code, customer_id, channel, count, amount, reason, data)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.id, type, Date.parse(e.at), e.campaignId, e.code, e.customerId, e.channel, count, e.amount, reason,
			JSON.stringify(e.data ?? {}),
		);
	}

	async appendEvent(event: LedgerEvent): Promise<void> {
		await this.tx(() => this.append(event, event.type, event.count, event.reason));
	}

	// ---------- idempotency ----------

	private idem<T>(op: string, campaignId: string, claim: IdempotencyClaim | undefined, work: () => T): T | { status: 'conflict' } {
		if (claim) {
			const prior = this.idempotencyRecord(op, campaignId, claim.key);
			if (prior) {
				if (prior.fingerprint !== claim.fingerprint) return { status: 'conflict' };
				return { ...(prior.outcome as T), replayed: true };
			}
		}
		const outcome = work();
		const status = (outcome as { status?: string }).status;
		if (claim && !UNSTORED.has(status ?? '')) this.keepOutcome(op, campaignId, claim, outcome);
		return outcome;
	}

	private idempotencyRecord(op: string, campaignId: string, key: string): { fingerprint: string; outcome: unknown } | null {
		const row = this.get('SELECT fingerprint, outcome FROM idempotency WHERE op = ? AND campaign_id = ? AND key = ?', op, campaignId, key);
		return row ? { fingerprint: String(row.fingerprint), outcome: JSON.parse(String(row.outcome)) } : null;
	}

	private keepOutcome(op: string, campaignId: string, claim: IdempotencyClaim, outcome: unknown): void {
		this.run(
			'INSERT INTO idempotency (op, campaign_id, key, fingerprint, outcome, created_at) VALUES (?, ?, ?, ?, ?, ?)',
			op, campaignId, claim.key, claim.fingerprint, JSON.stringify(outcome), Date.now(),
		);
	}

	async findIdempotent(op: string, campaignId: string, key: string): Promise<{ fingerprint: string; outcome: unknown } | null> {
		return this.read(() => this.idempotencyRecord(op, campaignId, key));
	}

	// ---------- campaigns ----------

	async putCampaign(campaign: Campaign, expectedVersion: number | null, event: LedgerEvent): Promise<'ok' | 'exists' | 'conflict'> {
		return this.tx(() => {
			const row = this.get('SELECT version FROM campaigns WHERE id = ?', campaign.id);
			if (expectedVersion === null) {
				if (row) return 'exists';
				this.run('INSERT INTO campaigns (id, version, data) VALUES (?, ?, ?)', campaign.id, campaign.version, JSON.stringify(campaign));
				this.run('INSERT INTO campaign_counters (campaign_id, version) VALUES (?, ?)', campaign.id, campaign.version);
			} else {
				if (!row || num(row.version) !== expectedVersion) return 'conflict';
				this.run('UPDATE campaigns SET version = ?, data = ? WHERE id = ?', campaign.version, JSON.stringify(campaign), campaign.id);
				this.run('UPDATE campaign_counters SET version = ? WHERE campaign_id = ?', campaign.version, campaign.id);
			}
			this.append(event, event.type, event.count, event.reason);
			return 'ok';
		});
	}

	async getCampaign(id: string): Promise<Campaign | null> {
		const row = this.read(() => this.get('SELECT data FROM campaigns WHERE id = ?', id));
		return row ? (JSON.parse(String(row.data)) as Campaign) : null;
	}

	async listCampaigns(): Promise<Campaign[]> {
		return this.read(() => this.all('SELECT data FROM campaigns ORDER BY id')).map((r) => JSON.parse(String(r.data)) as Campaign);
	}

	async issuedCount(campaignId: string): Promise<number> {
		return num(this.read(() => this.get('SELECT issued FROM campaign_counters WHERE campaign_id = ?', campaignId))?.issued);
	}

	async campaignVersion(campaignId: string): Promise<number | null> {
		return this.read(() => this.storedVersion(campaignId));
	}

	private storedVersion(campaignId: string): number | null {
		const row = this.get('SELECT version FROM campaign_counters WHERE campaign_id = ?', campaignId);
		return row ? num(row.version) : null;
	}

	private isStale(limits: LimitSnapshot): boolean {
		return this.storedVersion(limits.campaignId) !== limits.campaignVersion;
	}

	// ---------- codes ----------

	async campaignOfCode(codeKey: string): Promise<string | null> {
		return str(this.read(() => this.get('SELECT campaign_id FROM codes WHERE key = ?', codeKey))?.campaign_id);
	}

	/** Most campaigns have no live hold at all: the counters row says so without counting. */
	private anyLiveHold(campaignId: string, now: number): boolean {
		return num(this.get('SELECT hold_until_max FROM campaign_counters WHERE campaign_id = ?', campaignId)?.hold_until_max) > now;
	}

	private liveHolds(codeKey: string, now: number): number {
		return num(this.get('SELECT COUNT(DISTINCT unit_id) AS n FROM holds WHERE code_key = ? AND hold_until > ?', codeKey, now)?.n);
	}

	private codeRow(codeKey: string, now: number, holdsPossible = true): StoredCode | null {
		const row = this.get('SELECT * FROM codes WHERE key = ?', codeKey);
		if (!row) return null;
		return rowToCode(row, holdsPossible && this.anyLiveHold(String(row.campaign_id), now) ? this.liveHolds(codeKey, now) : 0);
	}

	async getCode(codeKey: string, now: number): Promise<StoredCode | null> {
		return this.read(() => this.codeRow(codeKey, now));
	}

	private customerUsed(campaignId: string, keys: string[], now: number, holdsPossible = true): number {
		let most = 0;
		for (const key of keys) {
			let used = num(
				this.get('SELECT redemptions FROM customer_usage WHERE campaign_id = ? AND customer_key = ?', campaignId, key)?.redemptions,
			);
			if (holdsPossible) {
				used += num(
					this.get('SELECT COUNT(*) AS n FROM holds WHERE campaign_id = ? AND customer_key = ? AND hold_until > ?', campaignId, key, now)?.n,
				);
			}
			most = Math.max(most, used);
		}
		return most;
	}

	private campaignUsed(campaignId: string, now: number, holdsPossible = true): number {
		const redeemed = num(this.get('SELECT redeemed FROM campaign_counters WHERE campaign_id = ?', campaignId)?.redeemed);
		if (!holdsPossible) return redeemed;
		return redeemed + num(this.get('SELECT COUNT(DISTINCT unit_id) AS n FROM holds WHERE campaign_id = ? AND hold_until > ?', campaignId, now)?.n);
	}

	async usage(q: UsageQuery): Promise<Usage> {
		return this.read(() => {
			const code = this.codeRow(q.codeKey, q.now);
			return {
				code,
				customerUsed: this.customerUsed(q.campaignId, code ? keysWithOwner(q.customerKeys, code) : q.customerKeys, q.now),
				campaignUsed: this.campaignUsed(q.campaignId, q.now),
				blockedUntil: q.abuseKeys && q.abuseKeys.length > 0 ? this.blockedAt(q.abuseKeys, q.now) : null,
				campaignVersion: this.storedVersion(q.campaignId),
			};
		});
	}

	private insertCode(c: StoredCode): boolean {
		return (
			this.run(
				`INSERT OR IGNORE INTO codes (key, code, campaign_id, customer_id, email, channel, issued_at, expires_at, voided_at, redemptions, metadata)
				 VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, ?)`,
				c.key, c.code === c.key ? null : c.code, c.campaignId, c.customerId, c.email, c.channel, c.issuedAt, c.expiresAt,
				Object.keys(c.metadata).length === 0 ? null : JSON.stringify(c.metadata),
			) === 1
		);
	}

	/** Inserts all codes of a chunk in one statement, or none of them when any key is taken. */
	private insertChunk(chunk: StoredCode[]): boolean {
		if (chunk.length !== CHUNK) return false;
		const params: SqlValue[] = [];
		for (const c of chunk) params.push(c.key, c.code === c.key ? null : c.code, c.campaignId, c.channel, c.issuedAt, c.expiresAt);
		this.db.exec('SAVEPOINT chunk');
		const changes = this.run(
			`INSERT OR IGNORE INTO codes (key, code, campaign_id, channel, issued_at, expires_at) VALUES ${CHUNK_VALUES}`,
			...params,
		);
		if (changes === chunk.length) {
			this.db.exec('RELEASE chunk');
			return true;
		}
		this.db.exec('ROLLBACK TO chunk');
		this.db.exec('RELEASE chunk');
		return false;
	}

	async issue(req: IssueRequest): Promise<IssueOutcome> {
		return this.tx(() => {
			if (this.isStale(req.limits)) return { status: 'stale' as const };
			return this.idem<IssueOutcome>('issue', req.limits.campaignId, req.idempotency, () => {
				const issued = num(this.get('SELECT issued FROM campaign_counters WHERE campaign_id = ?', req.limits.campaignId)?.issued);
				if (req.limits.issuance !== null && issued >= req.limits.issuance) {
					this.append(req.event, 'rejected', 1, 'ISSUANCE_LIMIT_REACHED', { code: null });
					return { status: 'rejected', reason: 'ISSUANCE_LIMIT_REACHED' };
				}
				if (!this.insertCode(req.code)) return { status: 'duplicate' };
				this.run('UPDATE campaign_counters SET issued = issued + 1 WHERE campaign_id = ?', req.limits.campaignId);
				this.append(req.event, 'issued', 1, null, { code: req.code.code });
				return { status: 'issued', code: req.code, eventId: req.event.id };
			});
		});
	}

	async insertGenerated(req: GenerateBatchRequest): Promise<GenerateBatchOutcome> {
		return this.tx(() => {
			if (this.isStale(req.limits)) return { status: 'stale' as const };
			const issued = num(this.get('SELECT issued FROM campaign_counters WHERE campaign_id = ?', req.limits.campaignId)?.issued);
			const room = req.limits.issuance === null ? Infinity : req.limits.issuance - issued;
			const inserted: StoredCode[] = [];
			let duplicates = 0;
			let full = false;
			// In key order the b-tree is walked once from left to right instead of jumping about.
			let candidates = req.codes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
			if (candidates.length > room) {
				candidates = candidates.slice(0, Math.max(0, room));
				full = true;
			}
			for (let i = 0; i < candidates.length; i += CHUNK) {
				const chunk = candidates.slice(i, i + CHUNK);
				if (this.insertChunk(chunk)) {
					inserted.push(...chunk);
					continue;
				}
				// A key was taken (rare): insert this chunk one by one to learn which.
				for (const code of chunk) {
					if (this.insertCode(code)) inserted.push(code);
					else duplicates++;
				}
			}
			if (inserted.length > 0) {
				this.run('UPDATE campaign_counters SET issued = issued + ? WHERE campaign_id = ?', inserted.length, req.limits.campaignId);
				this.append(req.event, 'generated', inserted.length, null);
			}
			return full
				? { status: 'rejected' as const, reason: 'ISSUANCE_LIMIT_REACHED' as const, inserted }
				: { status: 'inserted' as const, inserted, duplicates };
		});
	}

	// ---------- redeem / reserve ----------

	/** The stored version, redeemed counter and newest hold of the campaign, in one read per group commit. */
	private counters(campaignId: string): Counters | null {
		const known = this.groupCounters?.get(campaignId);
		if (known) return known;
		const row = this.get('SELECT version, redeemed, hold_until_max FROM campaign_counters WHERE campaign_id = ?', campaignId);
		if (!row) return null;
		const counters = { version: num(row.version), redeemed: num(row.redeemed), holdUntilMax: num(row.hold_until_max) };
		this.groupCounters?.set(campaignId, counters);
		return counters;
	}

	/** The code when every limit allows one more use; null when it is missing or in another campaign. */
	private checkUse(req: RedeemRequest, counters: { redeemed: number; holdUntilMax: number }): StoredCode | Rejected | null {
		const { limits, now } = req;
		const holds = counters.holdUntilMax > now;
		const code = this.codeRow(req.codeKey, now, holds);
		if (!code || code.campaignId !== limits.campaignId) return null;
		if (code.voidedAt !== null) return new Rejected('VOIDED', code);
		if (code.expiresAt !== null && code.expiresAt <= now) return new Rejected('EXPIRED', code);
		if ((code.customerId || code.email) && !(req.customerId && req.customerId === code.customerId) && !(req.email && req.email === code.email)) {
			return new Rejected('NOT_ASSIGNED', code);
		}
		if (code.redemptions + code.reserved >= limits.perCode) return new Rejected('CODE_LIMIT_REACHED', code);
		if (limits.perCustomer !== null && this.customerUsed(limits.campaignId, keysWithOwner(req.customerKeys, code), now, holds) >= limits.perCustomer) {
			return new Rejected('CUSTOMER_LIMIT_REACHED', code);
		}
		if (limits.total !== null) {
			const held = holds
				? num(this.get('SELECT COUNT(DISTINCT unit_id) AS n FROM holds WHERE campaign_id = ? AND hold_until > ?', limits.campaignId, now)?.n)
				: 0;
			if (counters.redeemed + held >= limits.total) return new Rejected('CAMPAIGN_LIMIT_REACHED', code);
		}
		return code;
	}

	private countRedemption(campaignId: string, codeKey: string, keys: string[], delta: number): void {
		this.run('UPDATE codes SET redemptions = redemptions + ? WHERE key = ?', delta, codeKey);
		this.run('UPDATE campaign_counters SET redeemed = redeemed + ? WHERE campaign_id = ?', delta, campaignId);
		for (const key of keys) {
			this.run(
				`INSERT INTO customer_usage (campaign_id, customer_key, redemptions) VALUES (?, ?, ?)
				 ON CONFLICT (campaign_id, customer_key) DO UPDATE SET redemptions = redemptions + excluded.redemptions`,
				campaignId, key, delta,
			);
		}
	}

	private useCode(req: RedeemRequest, hold: boolean): Promise<RedeemOutcome> {
		const op = hold ? 'reserve' : 'redeem';
		return this.tx(() => {
				const counters = this.counters(req.limits.campaignId);
				if (!counters || counters.version !== req.limits.campaignVersion) return { status: 'stale' as const };
				if (req.abuseKeys && req.abuseKeys.length > 0 && this.blockedAt(req.abuseKeys, req.now) !== null) {
					return { status: 'blocked' as const };
				}
				return this.idem<RedeemOutcome>(op, req.limits.campaignId, req.idempotency, () => {
					const checked = this.checkUse(req, counters);
					if (checked === null) return { status: 'missing' };
					if (checked instanceof Rejected) {
						this.append(req.event, 'rejected', 1, checked.reason, { amount: null, code: checked.code.code });
						return { status: 'rejected', reason: checked.reason };
					}
					const { limits, now } = req;
					const keys = keysWithOwner(req.customerKeys, checked);
					const holdUntil = hold ? (req.holdUntil ?? now) : null;
					const data = { ...req.event.data, ...(req.orderId ? { orderId: req.orderId } : {}) };
					this.run(
						`INSERT INTO units (id, kind, state, campaign_id, code_key, code, customer_keys, customer_id, order_id, amount, channel, created_at, hold_until)
						 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
						req.unitId, hold ? 'reservation' : 'redemption', hold ? 'held' : 'standing', limits.campaignId, req.codeKey,
						checked.code, JSON.stringify(keys), req.event.customerId, req.orderId, req.event.amount,
						req.event.channel, now, holdUntil,
					);
					if (hold) {
						for (const key of keys.length > 0 ? keys : ['']) {
							this.run(
								'INSERT INTO holds (unit_id, campaign_id, code_key, customer_key, hold_until) VALUES (?, ?, ?, ?, ?)',
								req.unitId, limits.campaignId, req.codeKey, key, holdUntil,
							);
						}
						this.run(
							'UPDATE campaign_counters SET hold_until_max = MAX(hold_until_max, ?) WHERE campaign_id = ?',
							holdUntil, limits.campaignId,
						);
						counters.holdUntilMax = Math.max(counters.holdUntilMax, holdUntil ?? now);
						this.append(req.event, 'reserved', 1, null, { code: checked.code, data: { ...data, holdUntil } });
					} else {
						this.countRedemption(limits.campaignId, req.codeKey, keys, 1);
						counters.redeemed += 1;
						this.append(req.event, 'redeemed', 1, null, { code: checked.code, data });
					}
					const after = hold ? { ...checked, reserved: checked.reserved + 1 } : { ...checked, redemptions: checked.redemptions + 1 };
					return { status: hold ? 'reserved' : 'redeemed', unitId: req.unitId, code: after, at: now, holdUntil };
				});
		}, true);
	}

	redeem(req: RedeemRequest): Promise<RedeemOutcome> {
		return this.useCode(req, false);
	}

	reserve(req: RedeemRequest & { holdUntil: number }): Promise<RedeemOutcome> {
		return this.useCode(req, true);
	}

	// ---------- commit / release / rollback ----------

	private finish(op: 'commit' | 'release' | 'rollback', req: FinishRequest): Promise<FinishOutcome> {
		const campaignId = req.unitId.slice(0, Math.max(0, req.unitId.lastIndexOf('~')));
		return this.tx(() =>
			this.idem<FinishOutcome>(op, campaignId, req.idempotency, () => {
				const unit = this.get('SELECT * FROM units WHERE id = ?', req.unitId);
				// kind is how the unit began; a committed reservation is a redemption that can be rolled back.
				const isRedemption = unit?.state === 'standing' || unit?.state === 'rolled_back';
				if (!unit || (op === 'rollback' ? !isRedemption : unit.kind !== 'reservation')) {
					return { status: 'rejected', reason: 'NOT_FOUND' };
				}
				if (unit.state !== (op === 'rollback' ? 'standing' : 'held')) return { status: 'rejected', reason: 'ALREADY_FINISHED' };
				const keys = JSON.parse(String(unit.customer_keys)) as string[];
				const amount = unit.amount === null ? null : num(unit.amount);
				const orderId = str(unit.order_id);
				const fromUnit: Partial<EventDraft> = {
					code: str(unit.code),
					customerId: str(unit.customer_id),
					channel: str(unit.channel),
					data: { ...req.event.data, ...(orderId ? { orderId } : {}) },
				};
				const lapsed = unit.hold_until !== null && num(unit.hold_until) <= req.now;
				if (op === 'commit') {
					this.run('DELETE FROM holds WHERE unit_id = ?', req.unitId);
					if (lapsed) {
						this.run("UPDATE units SET state = 'released' WHERE id = ?", req.unitId);
						this.append(req.event, 'released', 1, null, { ...fromUnit, data: { ...fromUnit.data, lapsed: true } });
						return { status: 'rejected', reason: 'RESERVATION_EXPIRED' };
					}
					this.run("UPDATE units SET state = 'standing', hold_until = NULL WHERE id = ?", req.unitId);
					this.countRedemption(String(unit.campaign_id), String(unit.code_key), keys, 1);
					this.append(req.event, 'redeemed', 1, null, { ...fromUnit, amount });
				} else if (op === 'release') {
					this.run('DELETE FROM holds WHERE unit_id = ?', req.unitId);
					this.run("UPDATE units SET state = 'released' WHERE id = ?", req.unitId);
					this.append(req.event, 'released', 1, null, { ...fromUnit, data: lapsed ? { ...fromUnit.data, lapsed: true } : fromUnit.data });
				} else {
					this.run("UPDATE units SET state = 'rolled_back' WHERE id = ?", req.unitId);
					this.countRedemption(String(unit.campaign_id), String(unit.code_key), keys, -1);
					this.append(req.event, 'rolled_back', 1, null, { ...fromUnit, amount: amount === null ? null : -amount });
				}
				return {
					status: 'done',
					unitId: req.unitId,
					codeKey: String(unit.code_key),
					code: String(unit.code),
					campaignId: String(unit.campaign_id),
					at: req.now,
					orderId,
					amount,
				};
			}),
		);
	}

	async commit(req: FinishRequest): Promise<FinishOutcome> {
		return this.finish('commit', req);
	}

	async release(req: FinishRequest): Promise<FinishOutcome> {
		return this.finish('release', req);
	}

	async rollback(req: FinishRequest): Promise<FinishOutcome> {
		return this.finish('rollback', req);
	}

	async void(req: VoidRequest): Promise<VoidOutcome> {
		const campaignId = str(this.read(() => this.get('SELECT campaign_id FROM codes WHERE key = ?', req.codeKey))?.campaign_id) ?? '';
		return this.tx(() =>
			this.idem<VoidOutcome>('void', campaignId, req.idempotency, () => {
				const code = this.codeRow(req.codeKey, req.now);
				if (!code) return { status: 'rejected', reason: 'NOT_FOUND' };
				if (code.voidedAt !== null) return { status: 'rejected', reason: 'VOIDED' };
				this.run('UPDATE codes SET voided_at = ? WHERE key = ?', req.now, req.codeKey);
				this.append(req.event, 'voided', 1, null, { code: code.code, customerId: code.customerId ?? code.email });
				return { status: 'voided', code: { ...code, voidedAt: req.now }, at: req.now };
			}),
		);
	}

	// ---------- abuse guard ----------

	async recordRejection(rec: RejectionRecord): Promise<RejectionRecorded> {
		return this.tx(() => {
			const claim = rec.idempotency;
			const scope = rec.event.campaignId ?? '';
			if (claim) {
				const prior = this.idempotencyRecord(claim.op, scope, claim.key);
				if (prior) return { blockedKeys: [], prior };
				this.keepOutcome(claim.op, scope, claim, { status: 'rejected', reason: rec.reason });
			}
			this.append(rec.event, 'rejected', 1, rec.reason);
			const blockedKeys: string[] = [];
			rec.abuseKeys.forEach((key, i) => {
				this.run('DELETE FROM abuse_failures WHERE key = ? AND at <= ?', key, rec.now - rec.abuse.windowMs);
				this.run('INSERT INTO abuse_failures (key, at) VALUES (?, ?)', key, rec.now);
				const failures = num(this.get('SELECT COUNT(*) AS n FROM abuse_failures WHERE key = ?', key)?.n);
				if (failures < rec.abuse.threshold) return;
				const block = this.get('SELECT until FROM abuse_blocks WHERE key = ?', key);
				if (block && num(block.until) > rec.now) return;
				const until = rec.now + rec.abuse.cooldownMs;
				this.run('INSERT INTO abuse_blocks (key, until) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET until = excluded.until', key, until);
				this.run('DELETE FROM abuse_failures WHERE key = ?', key);
				this.append({ ...rec.event, id: rec.blockEventIds[i] }, 'blocked', 1, null, { data: { key, until: new Date(until).toISOString() } });
				blockedKeys.push(key);
			});
			return { blockedKeys };
		});
	}

	private blockedAt(keys: string[], now: number): number | null {
		let latest: number | null = null;
		for (const key of keys) {
			const until = num(this.get('SELECT until FROM abuse_blocks WHERE key = ?', key)?.until);
			if (until > now && (latest === null || until > latest)) latest = until;
		}
		return latest;
	}

	async blockedUntil(keys: string[], now: number): Promise<number | null> {
		return this.read(() => this.blockedAt(keys, now));
	}

	// ---------- ledger reads ----------

	async events(query: StoreEventsQuery): Promise<{ events: LedgerEvent[]; cursor: string }> {
		const after = query.after === undefined ? 0 : Number(query.after);
		if (!Number.isInteger(after) || after < 0) throw new InvalidArgumentError('after', 'is not a cursor returned by events()');
		const where: string[] = ['seq > ?'];
		const params: SqlValue[] = [after];
		if (query.campaignId !== undefined) {
			where.push('campaign_id = ?');
			params.push(query.campaignId);
		}
		if (query.types && query.types.length > 0) {
			where.push(`type IN (${query.types.map(() => '?').join(', ')})`);
			params.push(...query.types);
		}
		params.push(query.limit);
		const rows = this.read(() => this.all(`SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`, ...params));
		const cursor = rows.length > 0 ? String(rows[rows.length - 1].seq) : String(after);
		return { events: rows.map(rowToEvent), cursor };
	}

	async statRows(query: { campaignId?: string; fromHour: number; toHour: number }): Promise<StatRow[]> {
		const params: SqlValue[] = [query.fromHour, query.toHour];
		let filter = '';
		if (query.campaignId !== undefined) {
			filter = ' AND campaign_id = ?';
			params.push(query.campaignId);
		}
		const rows = this.read(() =>
			this.all(
				`SELECT (at / 3600000) * 3600000 AS hour, campaign_id, channel, type, SUM(count) AS n, COALESCE(SUM(amount), 0) AS amount
				 FROM events WHERE at >= ? AND at < ?${filter}
				 GROUP BY hour, campaign_id, channel, type ORDER BY hour`,
				...params,
			),
		);
		return rows.map((r) => ({
			hour: num(r.hour),
			campaignId: str(r.campaign_id),
			channel: str(r.channel),
			type: String(r.type) as LedgerEventType,
			count: num(r.n),
			amount: num(r.amount),
		}));
	}

	// ---------- customers ----------

	async upsertCustomer(profile: CustomerProfile & { id: string }, now: number, event: LedgerEvent): Promise<StoredCustomer> {
		return this.tx(() => {
			const row = this.get('SELECT data FROM customers WHERE id = ?', profile.id);
			const before: StoredCustomer = row
				? rowToCustomer(row)
				: {
						id: profile.id, email: null, phone: null, birthday: null, renewalDate: null, timeZone: null,
						tags: [], orderCount: 0, metadata: {}, updatedAt: '',
					};
			const merged: StoredCustomer = { ...before };
			for (const [k, v] of Object.entries(profile)) if (v !== undefined) (merged as unknown as Row)[k] = v;
			merged.updatedAt = new Date(now).toISOString();
			this.run(
				`INSERT INTO customers (id, email, data, updated_at) VALUES (?, ?, ?, ?)
				 ON CONFLICT (id) DO UPDATE SET email = excluded.email, data = excluded.data, updated_at = excluded.updated_at`,
				merged.id, merged.email, JSON.stringify(merged), now,
			);
			this.append(event, event.type, event.count, event.reason);
			return merged;
		});
	}

	async getCustomer(ref: { id?: string; email?: string }): Promise<StoredCustomer | null> {
		const row = this.read(() =>
			ref.id !== undefined
				? this.get('SELECT data FROM customers WHERE id = ?', ref.id)
				: this.get('SELECT data FROM customers WHERE email = ? ORDER BY updated_at DESC LIMIT 1', ref.email ?? ''),
		);
		return row ? rowToCustomer(row) : null;
	}

	async audit(campaignId: string): Promise<AuditCounts> {
		return this.read(() => {
			const c = this.get('SELECT issued, redeemed FROM campaign_counters WHERE campaign_id = ?', campaignId);
			const codes = this.get('SELECT COUNT(*) AS n, COALESCE(SUM(redemptions), 0) AS r FROM codes WHERE campaign_id = ?', campaignId);
			// Unit ids are `<campaign>~<uuid>`: the campaign's units are one key range, no index needed.
			const standing = this.get(
				"SELECT COUNT(*) AS n FROM units WHERE id > ? AND id < ? AND state = 'standing'",
				`${campaignId}~`, `${campaignId}~~`,
			);
			const ledger = this.get(
				`SELECT COALESCE(SUM(CASE WHEN type IN ('issued', 'generated') THEN count END), 0) AS issued,
				        COALESCE(SUM(CASE WHEN type = 'redeemed' THEN count WHEN type = 'rolled_back' THEN -count END), 0) AS redeemed
				 FROM events WHERE campaign_id = ?`,
				campaignId,
			);
			return {
				codes: num(codes?.n),
				issuedCounter: num(c?.issued),
				ledgerIssued: num(ledger?.issued),
				redeemedCounter: num(c?.redeemed),
				codeRedemptions: num(codes?.r),
				standingRedemptions: num(standing?.n),
				ledgerRedeemed: num(ledger?.redeemed),
			};
		});
	}

	async expireDue(req: { now: number; eventIds: string[] }): Promise<{ expired: number; more: boolean }> {
		return this.tx(() => {
			const limit = req.eventIds.length;
			const rows = this.all(
				`SELECT key, code, campaign_id, customer_id, email, channel, redemptions, voided_at FROM codes
				 WHERE expires_at IS NOT NULL AND expired_at IS NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
				req.now, limit + 1,
			);
			const perCode = new Map<string, number>();
			let expired = 0;
			for (const row of rows.slice(0, limit)) {
				this.run('UPDATE codes SET expired_at = ? WHERE key = ?', req.now, String(row.key));
				const campaignId = String(row.campaign_id);
				if (!perCode.has(campaignId)) {
					const c = this.get('SELECT data FROM campaigns WHERE id = ?', campaignId);
					perCode.set(campaignId, c ? (JSON.parse(String(c.data)) as Campaign).limits.perCode : 1);
				}
				if (row.voided_at !== null || num(row.redemptions) >= (perCode.get(campaignId) ?? 1)) continue;
				this.append(
					{
						id: req.eventIds[expired],
						at: new Date(req.now).toISOString(),
						campaignId,
						code: str(row.code) ?? String(row.key),
						customerId: str(row.customer_id) ?? str(row.email),
						channel: str(row.channel),
						amount: null,
						data: {},
					},
					'expired',
					1,
					null,
				);
				expired++;
			}
			return { expired, more: rows.length > limit };
		});
	}

	async close(): Promise<void> {
		if (this.closed) return;
		if (this.pending.length > 0) this.flush();
		this.closed = true;
		this.forgetStatements();
		this.db.close();
	}
}

function wrapSqliteError(err: unknown): Error {
	if (err instanceof StoreError || err instanceof InvalidArgumentError) return err;
	const e = err as { message?: string; errcode?: number; code?: string };
	const message = e.message ?? String(err);
	if (/database is locked|SQLITE_BUSY/i.test(message)) {
		return new StoreError(
			'the coupon database is busy: another process held the write lock longer than the busy timeout; try again or raise busyTimeoutMs',
			true,
			{ cause: err },
		);
	}
	return new StoreError(`the coupon database failed: ${message}`, false, { cause: err });
}

/** Opens (and creates or migrates) the database file. */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
	const db = await openDatabaseFile(options, 'coupon database');
	migrateSchema(db, options.path, 'meta', MIGRATIONS, 'coupon database');
	return new SqliteStore(db);
}
