// The public shapes of triggers: normalised events in, decisions and firings out.
import type { HolidaysTypes } from 'date-holidays';
import type { CouponEngine, StoreOptions } from '../api';
import type { LedgerEvent, RejectionReason, Weekday } from '../types';

export interface LineItem {
	id?: string;
	sku?: string;
	name?: string;
	quantity: number;
	/** Unit price in the order / cart currency. */
	price: number;
}

/** An order, whatever platform it came from. Amounts are in `currency`, as decimal numbers. */
export interface NormalisedOrder {
	orderId: string;
	customerId?: string;
	email?: string;
	/** What the customer pays: after discounts, with shipping and tax. */
	total: number;
	/** ISO 4217, upper case. */
	currency: string;
	subtotal?: number;
	/** Sum of all discounts taken off. */
	discounts?: number;
	shipping?: number;
	tax?: number;
	lineItems?: LineItem[];
	/** Discount codes used on the order. */
	codes?: string[];
	/** The cart this order checked out, when known: it ends that cart's abandonment timer. */
	cartId?: string;
	/** Epoch ms when the order was placed. */
	at: number;
}

export type CartEventType = 'activity' | 'checkout';

/** Something happened to a cart: `activity` keeps it alive, `checkout` (cart bought) ends it. */
export interface NormalisedCart {
	cartId: string;
	type: CartEventType;
	customerId?: string;
	email?: string;
	/** Cart value in `currency`. */
	value: number;
	currency?: string;
	items?: LineItem[];
	/** Where the customer can pick the cart up again. */
	url?: string;
	/** Epoch ms of the activity. */
	at: number;
}

export interface ThresholdOptions {
	/** The order qualifies when the measured amount reaches this (inclusive). */
	amount: number;
	/** Orders in another currency never qualify. */
	currency: string;
	/** Measure without shipping (`total − shipping`). */
	excludeShipping?: boolean;
	/** Measure without tax (`total − tax`). */
	excludeTax?: boolean;
	/** Measure before discounts (`total + discounts`), so a coupon cannot push an order below. */
	beforeDiscounts?: boolean;
}

export type ThresholdDecision =
	| { qualifies: true; measured: number; threshold: number; currency: string }
	| { qualifies: false; measured: number; threshold: number; currency: string; reason: 'BELOW_THRESHOLD' | 'CURRENCY_MISMATCH' };

export interface PurchaseMilestoneOptions {
	/** Purchase numbers that count as milestones, e.g. `[1, 5, 10]`. */
	nth?: number[];
	/** Every n-th purchase (n, 2n, 3n …). */
	every?: number;
}

export interface RecordOrderOptions {
	threshold?: ThresholdOptions;
	milestones?: PurchaseMilestoneOptions;
}

export type CartOutcome = 'closed' | 'recovered' | 'none';

export interface OrderOutcome {
	orderId: string;
	/** The order was recorded before in this scope: nothing was counted and nothing should fire. */
	duplicate: boolean;
	/** The threshold asked for is met by a first delivery of the order. */
	thresholdMet: boolean;
	/** The threshold decision (also on a duplicate, for information); null when none was asked for. */
	threshold: ThresholdDecision | null;
	/** This customer's purchases counted so far, this order included (null without customer id or email). */
	purchaseCount: number | null;
	/** The purchase number when it is one of the milestones asked for (never on a duplicate). */
	milestoneReached: number | null;
	/** `closed`: the order ended a live cart; `recovered`: the cart had fired an abandonment coupon. */
	cart: CartOutcome;
}

export interface TrackCartOptions {
	/** Minutes without activity after which the cart counts as abandoned. */
	abandonAfterMinutes: number;
	/** Carts worth less never fire (default 0). */
	minValue?: number;
	/** No second abandonment firing for the same customer within this many days (default 0). */
	quietDays?: number;
}

export type CartState = 'open' | 'closed' | 'fired' | 'suppressed' | 'recovered';

export interface TrackCartResult {
	cartId: string;
	state: CartState;
	/** When the cart fires unless more activity or a checkout comes first; null when it is not armed. */
	deadline: number | null;
	/** The event was older than what the store already knew and changed nothing. */
	stale: boolean;
}

export type CalendarRule =
	| { type: 'date'; date: string; name?: string }
	| { type: 'yearly'; date: string; name?: string }
	| { type: 'monthly'; day: number; name?: string }
	| { type: 'weekly'; days: Weekday[]; name?: string }
	| { type: 'range'; from: string; to: string; name?: string }
	| {
			type: 'holidays';
			country: string;
			state?: string;
			region?: string;
			types?: HolidaysTypes.HolidayType[];
			/** Only these holidays (English names, any case). */
			names?: string[];
	  };

export interface CalendarDefinition {
	rules: CalendarRule[];
	/** Local time `HH:mm` the occurrence fires at (default `09:00`). */
	time?: string;
	/** IANA time zone of the dates and the time (default `UTC`). */
	zone?: string;
	/** Fire this many days before each date (default 0). */
	daysBefore?: number;
	name?: string;
	/** Handed back on every firing. */
	data?: Record<string, unknown>;
}

export interface CalendarOccurrence {
	/** The local date of the event (`YYYY-MM-DD`); one firing per calendar and date. */
	date: string;
	/** Names of the rules or holidays that fall on the date. */
	names: string[];
	/** Instant it fires (epoch ms). */
	fireAt: number;
}

export interface AnnualOptions {
	/** Fire this many days before the day (default 0). */
	daysBefore?: number;
	/** Local time `HH:mm` (default `09:00`). */
	time?: string;
}

export interface ScheduleCustomerOptions {
	/** `false` turns birthday firings off for this customer. */
	birthday?: AnnualOptions | false;
	renewal?: AnnualOptions | false;
	/** Zone for customers without `timeZone` (default `UTC`). */
	defaultZone?: string;
}

export interface CustomerSchedule {
	customerId: string;
	birthday: number | null;
	renewal: number | null;
}

export type DueKind = 'cart' | 'calendar' | 'birthday' | 'renewal';

export interface ClaimOptions {
	kinds?: DueKind[];
	/** Most firings to claim (default 100). */
	limit?: number;
	/** Instant to claim at (default: the clock). */
	now?: number;
	/** Recorded with each claim, for operators. */
	workerId?: string;
	/** Firings due longer ago than this are consumed without being returned (default: no limit). */
	maxLateMinutes?: number;
}

interface FiringBase {
	/** Cart id, calendar id or customer id. */
	id: string;
	dueAt: number;
	firedAt: number;
	/** `firedAt − dueAt`. */
	lateMs: number;
}

export interface CartSnapshot {
	cartId: string;
	customerId: string | null;
	email: string | null;
	value: number;
	currency: string | null;
	items: LineItem[];
	url: string | null;
	lastActivityAt: number;
}

export interface FiringCustomer {
	id: string;
	email: string | null;
	phone: string | null;
	timeZone: string;
}

export type Firing =
	| (FiringBase & { kind: 'cart'; cart: CartSnapshot })
	| (FiringBase & { kind: 'calendar'; name: string | null; date: string; names: string[]; data: Record<string, unknown> })
	| (FiringBase & { kind: 'birthday' | 'renewal'; date: string; year: number; customer: FiringCustomer });

export type LifecycleType = 'issued' | 'redeemed' | 'rolled_back' | 'limit_reached' | 'expiring';

export interface LifecycleOptions {
	/** Durable position; one name per consumer (trigger node). */
	cursorName: string;
	types: LifecycleType[];
	/** For `expiring`: how many days before `expiresAt` to deliver (default 3). */
	expiringWithinDays?: number;
	/** Most events per call (default 100). */
	limit?: number;
	campaignId?: string;
	/** A new cursor starts with events from now (default) or from the start of the ledger. */
	startAt?: 'now' | 'beginning';
	/** How long one call may hold the cursor while delivering (default 60 s). */
	leaseSeconds?: number;
}

export interface LifecycleEvent {
	type: LifecycleType;
	/** The ledger event id, or `expiring:<code>`. */
	id: string;
	at: string;
	campaignId: string | null;
	code: string | null;
	customerId: string | null;
	channel: string | null;
	amount: number | null;
	reason: RejectionReason | null;
	expiresAt: string | null;
	/** The ledger event behind it (null for `expiring`). */
	event: LedgerEvent | null;
}

export interface LifecycleResult {
	delivered: number;
	/** Another worker held the cursor: nothing was read. */
	busy: boolean;
	/** The cursor moved past what was delivered. */
	committed: boolean;
}

export interface TriggersOptions {
	store: StoreOptions;
	/** Separates the state of independent trigger configurations on one store (default `default`). */
	scope?: string;
	clock?: () => number;
	/** Needed by `lifecycle`. */
	engine?: CouponEngine;
	/** A claimed birthday / calendar firing whose worker died is rescheduled after this (default 60 s). */
	leaseSeconds?: number;
	/** How long order ids and finished carts are remembered (default 90 days). */
	retentionDays?: number;
}

export interface Triggers {
	readonly scope: string;
	recordOrder(order: NormalisedOrder, options?: RecordOrderOptions): Promise<OrderOutcome>;
	trackCart(event: NormalisedCart, options: TrackCartOptions): Promise<TrackCartResult>;
	/**
	 * Remembers a webhook delivery for `ttlMs`, in the store (so across restarts and workers); false
	 * when the same key was claimed within that time — a replay.
	 */
	claimDelivery(key: string, ttlMs: number): Promise<boolean>;
	/** Forgets a claimed delivery, so that the sender's retry of one that failed is taken. */
	releaseDelivery(key: string): Promise<void>;
	scheduleCustomer(profile: CustomerProfileInput, options?: ScheduleCustomerOptions): Promise<CustomerSchedule>;
	unscheduleCustomer(customerId: string): Promise<void>;
	defineCalendar(id: string, definition: CalendarDefinition): Promise<CalendarOccurrence | null>;
	removeCalendar(id: string): Promise<void>;
	claimDue(options?: ClaimOptions): Promise<Firing[]>;
	nextDueAt(kinds?: DueKind[]): Promise<number | null>;
	lifecycle(options: LifecycleOptions, deliver: (events: LifecycleEvent[]) => Promise<void> | void): Promise<LifecycleResult>;
	close(): Promise<void>;
}

/** The fields of a customer profile that schedules use (a `StoredCustomer` fits). */
export interface CustomerProfileInput {
	id: string;
	email?: string | null;
	phone?: string | null;
	birthday?: string | null;
	renewalDate?: string | null;
	timeZone?: string | null;
}
