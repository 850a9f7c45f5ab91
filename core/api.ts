import type {
	Campaign,
	CampaignDefinition,
	CampaignPatch,
	CodeInfo,
	CommitResult,
	CustomerProfile,
	DeliveredInput,
	EventsPage,
	EventsQuery,
	FinishReservationInput,
	GenerateInput,
	IssueInput,
	IssueResult,
	LedgerEvent,
	RedeemInput,
	RedeemResult,
	ReleaseResult,
	ReserveInput,
	ReserveResult,
	RollbackInput,
	RollbackResult,
	Stats,
	StatsQuery,
	StoredCustomer,
	ValidateInput,
	ValidateResult,
	VoidInput,
	VoidResult,
} from './types';
import type { AuditCounts, CouponStore } from './store/types';

export interface AuditReport extends AuditCounts {
	campaignId: string;
	consistent: boolean;
	/** What disagrees, in words; empty when consistent. */
	problems: string[];
}

export interface SqliteStoreOptions {
	type: 'sqlite';
	/** File path; `:memory:` for a private in-memory database. */
	path: string;
	/** `NORMAL` (default, WAL: durable against process crashes) or `FULL` (also against power loss). */
	synchronous?: 'NORMAL' | 'FULL';
	busyTimeoutMs?: number;
}

export interface RedisStoreOptions {
	type: 'redis';
	url?: string;
	host?: string;
	port?: number;
	username?: string;
	password?: string;
	db?: number;
	tls?: boolean;
	/** Prefix for every key (default `ck:`). */
	keyPrefix?: string;
	/** Cluster start nodes (`host:port`); when given a Redis Cluster client is used. */
	cluster?: string[];
	/** Fail a command after this long while Redis is unreachable (default 5000 ms). */
	commandTimeoutMs?: number;
}

export type StoreOptions = SqliteStoreOptions | RedisStoreOptions;

export interface AbuseOptions {
	/** Failed guesses (unknown code, typo) that block a customer or source (default 10). */
	threshold?: number;
	/** Window the failures are counted in (default 15 minutes). */
	windowSeconds?: number;
	/** How long a blocked key stays blocked (default 15 minutes). */
	cooldownSeconds?: number;
}

export interface EngineOptions {
	store: StoreOptions;
	/** Epoch-ms clock; tests move it instead of sleeping. */
	clock?: () => number;
	abuse?: AbuseOptions;
	/** Default reservation hold (default 900 s). */
	reservationTtlSeconds?: number;
}

export interface CouponEngine {
	readonly store: CouponStore;
	now(): number;

	createCampaign(def: CampaignDefinition): Promise<Campaign>;
	updateCampaign(id: string, patch: CampaignPatch): Promise<Campaign>;
	getCampaign(id: string): Promise<Campaign | null>;
	listCampaigns(): Promise<Campaign[]>;

	issue(input: IssueInput): Promise<IssueResult>;
	validate(input: ValidateInput): Promise<ValidateResult>;
	redeem(input: RedeemInput): Promise<RedeemResult>;
	reserve(input: ReserveInput): Promise<ReserveResult>;
	commit(input: FinishReservationInput): Promise<CommitResult>;
	release(input: FinishReservationInput): Promise<ReleaseResult>;
	rollback(input: RollbackInput): Promise<RollbackResult>;
	void(input: VoidInput): Promise<VoidResult>;
	markDelivered(input: DeliveredInput): Promise<LedgerEvent>;
	/** Streams batches of newly stored unique codes. */
	generate(input: GenerateInput): AsyncIterable<string[]>;
	getCode(code: string): Promise<CodeInfo | null>;

	upsertCustomer(profile: CustomerProfile): Promise<StoredCustomer>;
	getCustomer(ref: { id?: string; email?: string }): Promise<StoredCustomer | null>;

	events(query?: EventsQuery): Promise<EventsPage>;
	/**
	 * Writes an `expired` event for each code whose lifetime or campaign ended unused (once per code), at most
	 * `limit` (default 1000) per call. The trigger hosts call it on their timer; `stats().expired` counts these.
	 */
	expireDue(options?: { limit?: number }): Promise<{ expired: number; more: boolean }>;
	/** Compares a campaign's counters with its code rows and its ledger; `consistent` is false on any mismatch. */
	audit(campaignId: string): Promise<AuditReport>;
	stats(query?: StatsQuery): Promise<Stats>;

	close(): Promise<void>;
}
