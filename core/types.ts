// The public shapes of the engine: what n8n, Node-RED and code users pass in and get back.

export type DiscountDefinition =
	| { type: 'percent'; value: number }
	| { type: 'fixed'; amount: number; currency: string }
	| { type: 'freeShipping' };

export interface CodeDefinition {
	/** Literal text with `#` for one symbol of the charset, e.g. `SPRING-####-####`. */
	pattern?: string;
	/** Number of random symbols when no pattern is given (default 10). */
	length?: number;
	/** Symbols to draw from (default: the 31-symbol unambiguous set). */
	charset?: string;
	prefix?: string;
	postfix?: string;
	/** Append one check character that catches every single typo and neighbour swap. */
	checkCharacter?: boolean;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface TimeWindow {
	days?: Weekday[];
	/** Local time `HH:mm` in the campaign zone, inclusive. */
	from?: string;
	/** Local time `HH:mm` in the campaign zone, exclusive. */
	to?: string;
}

export interface ValidityDefinition {
	/** ISO date-time; without an offset it is read in `zone`. */
	start?: string;
	end?: string;
	/** IANA time zone, default UTC. */
	zone?: string;
	/** Each code expires this many calendar days after it is issued (in `zone`). */
	lifetimeDays?: number;
	/** The campaign only accepts redemptions inside one of these windows. */
	windows?: TimeWindow[];
}

export interface LimitsDefinition {
	/** Redemptions per code (default 1). */
	perCode?: number;
	/** Redemptions per customer in this campaign (customer id or normalised email). */
	perCustomer?: number;
	/** Redemptions in the whole campaign. */
	total?: number;
	/** Codes that may be issued or generated in this campaign. */
	issuance?: number;
}

export interface RulesDefinition {
	minOrderAmount?: number;
	currency?: string;
	firstOrderOnly?: boolean;
	/** The customer must carry at least one of these segments/tags. */
	segments?: string[];
	/** The code may only be used or issued through these channels. */
	channels?: string[];
}

export interface CampaignDefinition {
	id: string;
	name?: string;
	code?: CodeDefinition;
	discount: DiscountDefinition;
	validity?: ValidityDefinition;
	limits?: LimitsDefinition;
	rules?: RulesDefinition;
	/** Refuse issuance past this share of the code space (default 1e-6). */
	maxGuessProbability?: number;
	metadata?: Record<string, unknown>;
	active?: boolean;
}

export type CampaignPatch = Partial<Omit<CampaignDefinition, 'id'>>;

/** A campaign as stored: definition resolved to instants, with defaults filled and a version. */
export interface Campaign {
	id: string;
	name: string;
	code: Required<Pick<CodeDefinition, 'charset' | 'checkCharacter'>> & { pattern: string };
	discount: DiscountDefinition;
	validity: {
		zone: string;
		start?: string;
		end?: string;
		startsAt: number | null;
		endsAt: number | null;
		lifetimeDays: number | null;
		windows: TimeWindow[];
	};
	limits: { perCode: number; perCustomer: number | null; total: number | null; issuance: number | null };
	rules: {
		minOrderAmount: number | null;
		currency: string | null;
		firstOrderOnly: boolean;
		segments: string[];
		channels: string[];
	};
	/** How many codes the pattern can hold, and the most that may be issued for the guess bound. */
	capacity: { space: number; maxIssued: number };
	maxGuessProbability: number;
	metadata: Record<string, unknown>;
	active: boolean;
	version: number;
	createdAt: number;
	updatedAt: number;
}

export type RejectionReason =
	| 'NOT_FOUND'
	| 'BAD_FORMAT'
	| 'BAD_CHECK_CHARACTER'
	| 'NOT_STARTED'
	| 'EXPIRED'
	| 'VOIDED'
	| 'INACTIVE'
	| 'CODE_LIMIT_REACHED'
	| 'CUSTOMER_LIMIT_REACHED'
	| 'CAMPAIGN_LIMIT_REACHED'
	| 'ISSUANCE_LIMIT_REACHED'
	| 'MIN_ORDER_NOT_MET'
	| 'CURRENCY_MISMATCH'
	| 'OUTSIDE_TIME_WINDOW'
	| 'CHANNEL_NOT_ALLOWED'
	| 'NOT_ELIGIBLE'
	| 'NOT_ASSIGNED'
	| 'BLOCKED'
	| 'RESERVATION_EXPIRED'
	| 'ALREADY_FINISHED';

export interface Rejection {
	ok: false;
	reason: RejectionReason;
	message: string;
}

export interface CustomerRef {
	customerId?: string;
	email?: string;
}

export interface IssueInput extends CustomerRef {
	campaignId: string;
	channel?: string;
	metadata?: Record<string, unknown>;
	idempotencyKey?: string;
}

export interface IssuedCode {
	ok: true;
	code: string;
	campaignId: string;
	customerId: string | null;
	email: string | null;
	channel: string | null;
	issuedAt: string;
	expiresAt: string | null;
	discount: DiscountDefinition;
	eventId: string;
}

export type IssueResult = IssuedCode | Rejection;

export interface OrderContext extends CustomerRef {
	code: string;
	orderAmount?: number;
	currency?: string;
	channel?: string;
	/** Segments or tags of the customer; when absent the stored customer profile is used. */
	segments?: string[];
	/** Known to be (or not to be) the customer's first order. */
	firstOrder?: boolean;
	/** Where the attempt comes from (IP address, phone number): counted by the abuse guard. */
	source?: string;
}

export type ValidateInput = OrderContext;

export type ValidateResult =
	| {
			valid: true;
			code: string;
			campaignId: string;
			discount: DiscountDefinition;
			/** The amount the discount takes off `orderAmount`, when that was given. */
			discountAmount: number | null;
			expiresAt: string | null;
			remainingUses: number;
	  }
	| { valid: false; code: string; campaignId: string | null; reason: RejectionReason; message: string };

export interface RedeemInput extends OrderContext {
	orderId?: string;
	idempotencyKey?: string;
}

export interface Redemption {
	ok: true;
	redemptionId: string;
	code: string;
	campaignId: string;
	orderId: string | null;
	discount: DiscountDefinition;
	discountAmount: number | null;
	redeemedAt: string;
}

export type RedeemResult = Redemption | (Rejection & { code: string; campaignId: string | null });

export interface ReserveInput extends RedeemInput {
	ttlSeconds?: number;
}

export type ReserveResult =
	| {
			ok: true;
			reservationId: string;
			code: string;
			campaignId: string;
			expiresAt: string;
			discount: DiscountDefinition;
			discountAmount: number | null;
	  }
	| (Rejection & { code: string; campaignId: string | null });

export interface FinishReservationInput {
	reservationId: string;
	idempotencyKey?: string;
	orderId?: string;
}

export type CommitResult = Redemption | (Rejection & { reservationId: string });
export type ReleaseResult = { ok: true; reservationId: string; releasedAt: string } | (Rejection & { reservationId: string });

export interface RollbackInput {
	redemptionId: string;
	reason?: string;
	idempotencyKey?: string;
}

export type RollbackResult =
	| { ok: true; redemptionId: string; code: string; campaignId: string; rolledBackAt: string }
	| (Rejection & { redemptionId: string });

export interface VoidInput {
	code: string;
	reason?: string;
	idempotencyKey?: string;
}

export type VoidResult =
	| { ok: true; code: string; campaignId: string; voidedAt: string }
	| (Rejection & { code: string });

export interface DeliveredInput {
	code: string;
	channel: string;
	recipient?: string;
	metadata?: Record<string, unknown>;
}

export type CodeState = 'active' | 'redeemed' | 'voided' | 'expired';

export interface CodeInfo {
	code: string;
	campaignId: string;
	state: CodeState;
	customerId: string | null;
	email: string | null;
	channel: string | null;
	issuedAt: string;
	expiresAt: string | null;
	redemptions: number;
	reserved: number;
	remainingUses: number;
	voidedAt: string | null;
	metadata: Record<string, unknown>;
}

export type LedgerEventType =
	| 'campaign_created'
	| 'campaign_updated'
	| 'customer_upserted'
	| 'generated'
	| 'issued'
	| 'delivered'
	| 'rejected'
	| 'reserved'
	| 'released'
	| 'redeemed'
	| 'rolled_back'
	| 'voided'
	| 'expired'
	| 'blocked';

export interface LedgerEvent {
	/** uuid v7: time ordered. */
	id: string;
	type: LedgerEventType;
	at: string;
	campaignId: string | null;
	code: string | null;
	customerId: string | null;
	channel: string | null;
	/** How many codes or units the event counts (a `generated` batch counts its codes). */
	count: number;
	/** Order amount of a redemption (negative on roll back), in the order currency. */
	amount: number | null;
	reason: RejectionReason | null;
	data: Record<string, unknown>;
}

export interface EventsQuery {
	/** Opaque cursor from a previous page; omit to start at the beginning. */
	after?: string;
	limit?: number;
	campaignId?: string;
	types?: LedgerEventType[];
}

export interface EventsPage {
	events: LedgerEvent[];
	/** Pass as `after` to continue; stays valid across restarts. */
	cursor: string;
}

export type StatsGroupBy = 'day' | 'channel' | 'campaign';

export interface StatsQuery {
	campaignId?: string;
	/** ISO date-time or epoch ms; inclusive. Rounded down to the hour. */
	from?: string | number;
	/** ISO date-time or epoch ms; exclusive. Rounded up to the hour. */
	to?: string | number;
	groupBy?: StatsGroupBy;
	/** Time zone for `groupBy: 'day'` (default UTC). */
	zone?: string;
}

export interface StatsCounts {
	generated: number;
	issued: number;
	delivered: number;
	reserved: number;
	released: number;
	redeemed: number;
	rolledBack: number;
	voided: number;
	expired: number;
	rejected: number;
	blocked: number;
	/** (redeemed − rolled back) ÷ (issued + generated); 0 when no code was handed out. */
	redemptionRate: number;
	/** Sum of order amounts of redemptions that stand (roll backs subtracted). */
	revenue: number;
}

export interface Stats extends StatsCounts {
	groups?: Array<StatsCounts & { key: string }>;
}

export interface CustomerProfile {
	id: string;
	email?: string | null;
	phone?: string | null;
	/** `YYYY-MM-DD` (or `--MM-DD` without a year). */
	birthday?: string | null;
	/** `YYYY-MM-DD` of the next (or a past) membership renewal. */
	renewalDate?: string | null;
	timeZone?: string | null;
	tags?: string[];
	orderCount?: number;
	metadata?: Record<string, unknown>;
}

export interface StoredCustomer extends Required<Omit<CustomerProfile, 'metadata'>> {
	metadata: Record<string, unknown>;
	updatedAt: string;
}

export interface GenerateInput {
	campaignId: string;
	count: number;
	/** Codes per yielded batch, each stored in one transaction (default 10,000; at most 100,000). */
	batchSize?: number;
	channel?: string;
}
