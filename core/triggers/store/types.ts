// What the trigger service asks of its durable state. Each operation is atomic; SQL and Lua stay in
// the adapters. Times are epoch ms handed in by the service (its clock); a store never reads a clock.
import type { CartState, DueKind } from '../types';

export type RecurringKind = Exclude<DueKind, 'cart'>;

export interface OrderRecord {
	scope: string;
	orderId: string;
	/** `id:<customerId>` or `email:<normalised email>`; null counts nothing. */
	customerKey: string | null;
	cartId: string | null;
	at: number;
	now: number;
	retentionMs: number;
}

export interface OrderRecorded {
	duplicate: boolean;
	/** Purchases of the customer including this order; on a duplicate the count the order got first. */
	purchaseCount: number | null;
	cart: 'closed' | 'recovered' | 'none';
}

export interface CartRecord {
	scope: string;
	cartId: string;
	customerKey: string | null;
	checkout: boolean;
	at: number;
	/** When to fire; null keeps the cart open but unarmed (below the minimum value). */
	deadline: number | null;
	/** The cart snapshot (JSON), handed back when it fires. */
	snapshot: string;
	quietMs: number;
	now: number;
	retentionMs: number;
}

export interface CartTracked {
	state: CartState;
	deadline: number | null;
	stale: boolean;
}

/** A recurring schedule (calendar, birthday, renewal): the next occurrence and the last one fired. */
export interface ScheduleEntry {
	kind: RecurringKind;
	key: string;
	/** Bumped by every change; writes compare it. */
	version: number;
	state: 'armed' | 'claimed' | 'done';
	dueAt: number | null;
	occurrence: string | null;
	lastFired: string | null;
	/** The definition (JSON) the service computes occurrences from. */
	payload: string;
}

export interface SchedulePut {
	scope: string;
	kind: RecurringKind;
	key: string;
	/** null: create only when absent; a number: update only when the stored version is this. */
	expectVersion: number | null;
	dueAt: number | null;
	occurrence: string | null;
	payload: string;
	now: number;
}

export interface ClaimRequest {
	scope: string;
	kinds: DueKind[];
	now: number;
	limit: number;
	/** A claimed recurring entry becomes due again (for rescheduling only) after this. */
	leaseMs: number;
	workerId: string;
	retentionMs: number;
}

/**
 * One due entry taken by this claim and by no other.
 * Carts: `fire` false means the quiet period of its customer suppressed it.
 * Recurring: the entry is now `claimed`; `fire` false means an earlier claimer died after firing
 * `occurrence` — only reschedule it. Either way the caller writes the next occurrence with `version`.
 */
export interface ClaimedEntry {
	kind: DueKind;
	key: string;
	fire: boolean;
	dueAt: number;
	occurrence: string | null;
	version: number;
	payload: string;
}

export interface ExpiringPut {
	scope: string;
	cursorName: string;
	code: string;
	dueAt: number;
	payload: string;
}

export interface DeliveryClaim {
	scope: string;
	/** Identifies one delivery (a hash of what was signed); opaque to the store. */
	key: string;
	now: number;
	/** The claim is forgotten after this (epoch ms): by then a replay is refused for its old timestamp. */
	expiresAt: number;
}

export interface CursorLease {
	/** The committed position (opaque), or null for a cursor never committed. */
	cursor: string | null;
}

export interface TriggerStore {
	readonly kind: 'sqlite' | 'redis';

	recordOrder(req: OrderRecord): Promise<OrderRecorded>;
	trackCart(req: CartRecord): Promise<CartTracked>;

	/** Remembers a webhook delivery until it expires; false when it is remembered already (a replay). */
	claimDelivery(req: DeliveryClaim): Promise<boolean>;
	/** Forgets a claimed delivery, so that a retry of one whose handling failed is taken. */
	releaseDelivery(scope: string, key: string): Promise<void>;

	getSchedule(scope: string, kind: RecurringKind, key: string): Promise<ScheduleEntry | null>;
	/** Compare-and-set; leaves the entry `armed` (or `done` when dueAt is null). False on a version mismatch. */
	putSchedule(req: SchedulePut): Promise<boolean>;
	removeSchedule(scope: string, kind: RecurringKind, key: string): Promise<void>;

	claimDue(req: ClaimRequest): Promise<ClaimedEntry[]>;
	nextDueAt(scope: string, kinds: DueKind[]): Promise<number | null>;

	/** Upserts a notice for `code` under one lifecycle cursor. */
	putExpiring(req: ExpiringPut): Promise<void>;
	/** Notices due at `now`, oldest first; they stay until `removeExpiring`. */
	dueExpiring(scope: string, cursorName: string, now: number, limit: number): Promise<Array<{ code: string; dueAt: number; payload: string }>>;
	removeExpiring(scope: string, cursorName: string, codes: string[]): Promise<void>;

	/** Takes the cursor for `leaseMs` unless another token holds a live lease (then null). */
	leaseCursor(scope: string, name: string, token: string, now: number, leaseMs: number): Promise<CursorLease | null>;
	/** Moves the cursor and ends the lease, only while `token` still holds it. */
	commitCursor(scope: string, name: string, token: string, cursor: string, now: number): Promise<boolean>;
	releaseCursor(scope: string, name: string, token: string): Promise<void>;

	close(): Promise<void>;
}
