// The store contract: business operations, each atomic. SQL and Lua stay private to each adapter.
// Times are epoch milliseconds handed in by the engine (its clock), never read by the store itself,
// so tests move time instead of sleeping.
import type { Campaign, CustomerProfile, LedgerEvent, LedgerEventType, RejectionReason, StoredCustomer } from '../types';

export interface StoredCode {
	/** Normalised lookup key (upper case, no separators). */
	key: string;
	/** The code as shown to customers. */
	code: string;
	campaignId: string;
	customerId: string | null;
	/** Normalised email (see core/customers.ts). */
	email: string | null;
	channel: string | null;
	issuedAt: number;
	expiresAt: number | null;
	voidedAt: number | null;
	/** Redemptions that stand (roll backs subtracted). */
	redemptions: number;
	/** Units held by live reservations (expired ones not counted). */
	reserved: number;
	metadata: Record<string, unknown>;
}

/** Same key and same fingerprint: the first outcome is returned. Same key, other fingerprint: `conflict`. */
export interface IdempotencyClaim {
	key: string;
	fingerprint: string;
}

/** The limits of the campaign as the engine saw them; a changed version makes the store answer `stale`. */
export interface LimitSnapshot {
	campaignId: string;
	campaignVersion: number;
	perCode: number;
	perCustomer: number | null;
	total: number | null;
	issuance: number | null;
}

/** Fields of the ledger event the store writes; the store sets type, reason and count. */
export type EventDraft = Omit<LedgerEvent, 'type' | 'reason' | 'count'>;

export type Replayable<T> = T & { replayed?: boolean };
export type Control = { status: 'stale' } | { status: 'conflict' };

export interface IssueRequest {
	limits: LimitSnapshot;
	code: StoredCode;
	now: number;
	event: EventDraft;
	idempotency?: IdempotencyClaim;
}
export type IssueOutcome =
	| Replayable<{ status: 'issued'; code: StoredCode; eventId: string }>
	| { status: 'duplicate' }
	| Replayable<{ status: 'rejected'; reason: RejectionReason }>
	| Control;

export interface GenerateBatchRequest {
	limits: LimitSnapshot;
	/** Candidate codes; keys already taken anywhere are skipped, not an error. */
	codes: StoredCode[];
	now: number;
	/** Written once with `count` = codes inserted, when at least one was. */
	event: EventDraft;
}
export type GenerateBatchOutcome =
	| { status: 'inserted'; inserted: StoredCode[]; duplicates: number }
	| { status: 'rejected'; reason: 'ISSUANCE_LIMIT_REACHED'; inserted: StoredCode[] }
	| { status: 'stale' };

export interface RedeemRequest {
	limits: LimitSnapshot;
	codeKey: string;
	/** `id:<customerId>` and/or `email:<normalised email>`; limits hold for each. */
	customerKeys: string[];
	customerId: string | null;
	email: string | null;
	orderId: string | null;
	/** `<campaignId>~<uuid v7>`: the campaign travels in the id so any store can route it. */
	unitId: string;
	now: number;
	/** For a reservation: when the hold lapses. */
	holdUntil?: number;
	event: EventDraft;
	idempotency?: IdempotencyClaim;
	/** Abuse-guard keys of the caller: when any is blocked at `now` the answer is `blocked`. */
	abuseKeys?: string[];
}
export type RedeemOutcome =
	| Replayable<{ status: 'redeemed' | 'reserved'; unitId: string; code: StoredCode; at: number; holdUntil: number | null }>
	| Replayable<{ status: 'rejected'; reason: RejectionReason }>
	// Nothing written: the engine records these itself (a missing code counts as a guess).
	| { status: 'blocked' }
	| { status: 'missing' }
	| Control;

export interface UsageQuery {
	campaignId: string;
	codeKey: string;
	customerKeys: string[];
	now: number;
	/** The caller's abuse keys, whose blocks the answer's `blockedUntil` reports; none when absent. */
	abuseKeys?: string[];
}

export interface Usage {
	code: StoredCode | null;
	customerUsed: number;
	campaignUsed: number;
	/** Latest end of a live block of one of the query's abuse keys, or null. */
	blockedUntil: number | null;
	/** The stored campaign's version (null when there is none): the engine checks its copy against it. */
	campaignVersion: number | null;
}

export interface FinishRequest {
	/** Reservation id (commit / release) or redemption id (rollback). */
	unitId: string;
	now: number;
	event: EventDraft;
	reason?: string;
	idempotency?: IdempotencyClaim;
}
export type FinishOutcome =
	| Replayable<{ status: 'done'; unitId: string; codeKey: string; code: string; campaignId: string; at: number; orderId: string | null; amount: number | null }>
	| Replayable<{ status: 'rejected'; reason: RejectionReason }>
	| { status: 'conflict' };

export interface VoidRequest {
	codeKey: string;
	now: number;
	event: EventDraft;
	reason?: string;
	idempotency?: IdempotencyClaim;
}
export type VoidOutcome =
	| Replayable<{ status: 'voided'; code: StoredCode; at: number }>
	| Replayable<{ status: 'rejected'; reason: RejectionReason }>
	| { status: 'conflict' };

export interface AbuseSettings {
	/** Failures inside `windowMs` that block a key. */
	threshold: number;
	windowMs: number;
	cooldownMs: number;
}

export interface RejectionRecord {
	/** Written with type `rejected`. */
	event: EventDraft;
	reason: RejectionReason;
	/** Keys whose failures count (`customer:<key>`, `source:<value>`); empty when the reason is no guess. */
	abuseKeys: string[];
	abuse: AbuseSettings;
	now: number;
	/** One pre-made id per abuse key for the `blocked` event, written when that key becomes blocked. */
	blockEventIds: string[];
	/** A refusal of a keyed call, kept under the key of `op` in the event's campaign as `{ status: 'rejected', reason }`. */
	idempotency?: IdempotencyClaim & { op: 'issue' | 'redeem' | 'reserve' };
}

export interface RejectionRecorded {
	blockedKeys: string[];
	/** What the key already held; then nothing was written. */
	prior?: { fingerprint: string; outcome: unknown };
}

export interface StatRow {
	/** Start of the UTC hour, epoch ms. */
	hour: number;
	campaignId: string | null;
	channel: string | null;
	type: LedgerEventType;
	count: number;
	amount: number;
}

export interface StoreEventsQuery {
	after?: string;
	limit: number;
	campaignId?: string;
	types?: LedgerEventType[];
}

/** Counts an operator can compare: state counters against rows and against the ledger. */
export interface AuditCounts {
	/** Code rows stored for the campaign. */
	codes: number;
	/** The campaign's issued counter (what the issuance limit is checked against). */
	issuedCounter: number;
	/** Sum of `count` over `issued` and `generated` events. */
	ledgerIssued: number;
	/** The campaign's redeemed counter (what the total limit is checked against). */
	redeemedCounter: number;
	/** Sum of the per-code redemption counters. */
	codeRedemptions: number;
	/** Redemptions that stand (not rolled back). */
	standingRedemptions: number;
	/** `redeemed` events minus `rolled_back` events. */
	ledgerRedeemed: number;
}

export interface CouponStore {
	readonly kind: 'sqlite' | 'redis';

	/** Inserts when `expectedVersion` is null and the id is new; else updates when the version matches. */
	putCampaign(campaign: Campaign, expectedVersion: number | null, event: LedgerEvent): Promise<'ok' | 'exists' | 'conflict'>;
	getCampaign(id: string): Promise<Campaign | null>;
	listCampaigns(): Promise<Campaign[]>;
	/** Codes issued or generated so far in the campaign. */
	issuedCount(campaignId: string): Promise<number>;
	/** The stored campaign's version, or null when there is none: a cheap check that a loaded copy is current. */
	campaignVersion(campaignId: string): Promise<number | null>;

	campaignOfCode(codeKey: string): Promise<string | null>;
	/**
	 * Read-only view for validate: the code, units used or held by the busiest customer key and the campaign,
	 * the latest live block end among `abuseKeys` (as `blockedUntil` answers) and the campaign's version, read together.
	 */
	usage(q: UsageQuery): Promise<Usage>;
	/** The stored outcome of an idempotent call, if any (used when the engine rejects before the store is asked). */
	findIdempotent(op: string, campaignId: string, key: string): Promise<{ fingerprint: string; outcome: unknown } | null>;
	getCode(codeKey: string, now: number): Promise<StoredCode | null>;
	issue(req: IssueRequest): Promise<IssueOutcome>;
	insertGenerated(req: GenerateBatchRequest): Promise<GenerateBatchOutcome>;

	redeem(req: RedeemRequest): Promise<RedeemOutcome>;
	reserve(req: RedeemRequest & { holdUntil: number }): Promise<RedeemOutcome>;
	commit(req: FinishRequest): Promise<FinishOutcome>;
	release(req: FinishRequest): Promise<FinishOutcome>;
	rollback(req: FinishRequest): Promise<FinishOutcome>;
	void(req: VoidRequest): Promise<VoidOutcome>;

	/** Appends a plain event (delivered, expired, …) with no state change. */
	appendEvent(event: LedgerEvent): Promise<void>;
	recordRejection(rec: RejectionRecord): Promise<RejectionRecorded>;
	/** Latest time until which any of the keys is blocked, or null. */
	blockedUntil(keys: string[], now: number): Promise<number | null>;

	events(query: StoreEventsQuery): Promise<{ events: LedgerEvent[]; cursor: string }>;
	statRows(query: { campaignId?: string; fromHour: number; toHour: number }): Promise<StatRow[]>;

	upsertCustomer(profile: CustomerProfile & { id: string }, now: number, event: LedgerEvent): Promise<StoredCustomer>;
	getCustomer(idOrEmail: { id?: string; email?: string }): Promise<StoredCustomer | null>;

	audit(campaignId: string): Promise<AuditCounts>;
	/**
	 * Marks codes whose `expiresAt <= now` as expired, at most `eventIds.length` of them, oldest expiry first,
	 * appending one `expired` event per code that was neither voided nor used up (ids taken from `eventIds`).
	 * Each code is marked once. Returns how many events were written and whether more are due.
	 */
	expireDue(req: { now: number; eventIds: string[] }): Promise<{ expired: number; more: boolean }>;

	close(): Promise<void>;
}
