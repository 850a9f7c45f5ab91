// The trigger service the hosts drive: events in (orders, carts, profiles, calendars), due firings out.
// It never starts a timer: the host polls claimDue / lifecycle and may use nextDueAt to pace itself.
import { hostname } from 'node:os';
import { customerKeys, normaliseEmail } from '../customers';
import { ConflictError, InvalidArgumentError, StoreError } from '../errors';
import { nextParsedOccurrence, namesOn, parseCalendar } from './calendar';
import { cartDeadline, cartSnapshot, checkCartOptions } from './carts';
import { checkScope, nonNegative, positiveInteger, requireText } from './check';
import { checkCart, checkOrder } from './events';
import { runLifecycle } from './lifecycle';
import { annualRule, checkMilestoneOptions, nextAnnual, purchaseMilestone, type AnnualRule } from './milestones';
import { CLAIM_KINDS } from './store/keys';
import { openTriggerStore } from './store';
import type { ClaimedEntry, RecurringKind, TriggerStore } from './store/types';
import { checkThresholdOptions, evaluateThreshold } from './threshold';
import type {
	CalendarDefinition,
	CalendarOccurrence,
	CartSnapshot,
	ClaimOptions,
	CustomerProfileInput,
	CustomerSchedule,
	DueKind,
	Firing,
	FiringCustomer,
	LifecycleEvent,
	LifecycleOptions,
	LifecycleResult,
	NormalisedCart,
	NormalisedOrder,
	OrderOutcome,
	RecordOrderOptions,
	ScheduleCustomerOptions,
	TrackCartOptions,
	TrackCartResult,
	Triggers,
	TriggersOptions,
} from './types';
import { clampedDate, formatDate, parseZone } from './zoned';

const DAY_MS = 86_400_000;
const MAX_CLAIM = 10_000;

interface Next {
	dueAt: number;
	occurrence: string;
}

interface AnnualPayload {
	rule: AnnualRule;
	customer: FiringCustomer;
}

export function customerKeyOf(customerId: string | null | undefined, email: string | null | undefined): string | null {
	return customerKeys(customerId ?? null, normaliseEmail(email ?? null))[0] ?? null;
}

function checkKinds(kinds: DueKind[] | undefined): DueKind[] {
	if (kinds === undefined) return [...CLAIM_KINDS];
	if (!Array.isArray(kinds)) throw new InvalidArgumentError('kinds', `expected a list of ${CLAIM_KINDS.join(', ')}`);
	kinds.forEach((k, i) => {
		if (!CLAIM_KINDS.includes(k)) throw new InvalidArgumentError(`kinds[${i}]`, `expected one of ${CLAIM_KINDS.join(', ')}`);
	});
	return [...new Set(kinds)];
}

class TriggerService implements Triggers {
	private closed = false;
	private readonly clock: () => number;
	private readonly leaseMs: number;
	private readonly retentionMs: number;
	private readonly workerId = `${hostname()}:${process.pid}`;

	constructor(
		private readonly store: TriggerStore,
		readonly scope: string,
		private readonly options: TriggersOptions,
	) {
		this.clock = options.clock ?? Date.now;
		this.leaseMs = Math.round(nonNegative(options.leaseSeconds, 'leaseSeconds', 60) * 1000);
		this.retentionMs = Math.round(positiveInteger(options.retentionDays, 'retentionDays', 90) * DAY_MS);
	}

	private open(): TriggerStore {
		if (this.closed) throw new StoreError('the triggers were closed', false);
		return this.store;
	}

	async recordOrder(order: NormalisedOrder, options: RecordOrderOptions = {}): Promise<OrderOutcome> {
		const o = checkOrder(order);
		const threshold = options.threshold ? checkThresholdOptions(options.threshold) : null;
		const milestones = options.milestones ? checkMilestoneOptions(options.milestones) : null;
		const rec = await this.open().recordOrder({
			scope: this.scope,
			orderId: o.orderId,
			customerKey: customerKeyOf(o.customerId, o.email),
			cartId: o.cartId ?? null,
			at: o.at,
			now: this.clock(),
			retentionMs: this.retentionMs,
		});
		const decision = threshold ? evaluateThreshold(o, threshold) : null;
		return {
			orderId: o.orderId,
			duplicate: rec.duplicate,
			thresholdMet: !rec.duplicate && decision?.qualifies === true,
			threshold: decision,
			purchaseCount: rec.purchaseCount,
			milestoneReached: !rec.duplicate && milestones ? purchaseMilestone(rec.purchaseCount, milestones) : null,
			cart: rec.cart,
		};
	}

	async trackCart(event: NormalisedCart, options: TrackCartOptions): Promise<TrackCartResult> {
		const cart = checkCart(event);
		const opts = checkCartOptions(options);
		const r = await this.open().trackCart({
			scope: this.scope,
			cartId: cart.cartId,
			customerKey: customerKeyOf(cart.customerId, cart.email),
			checkout: cart.type === 'checkout',
			at: cart.at,
			deadline: cartDeadline(cart, opts),
			snapshot: JSON.stringify(cartSnapshot(cart)),
			quietMs: opts.quietMs,
			now: this.clock(),
			retentionMs: this.retentionMs,
		});
		return { cartId: cart.cartId, ...r };
	}

	async claimDelivery(key: string, ttlMs: number): Promise<boolean> {
		const k = deliveryKey(key);
		const ttl = positiveInteger(ttlMs, 'ttlMs', 1);
		const now = this.clock();
		return this.open().claimDelivery({ scope: this.scope, key: k, now, expiresAt: now + ttl });
	}

	async releaseDelivery(key: string): Promise<void> {
		await this.open().releaseDelivery(this.scope, deliveryKey(key));
	}

	/**
	 * Creates or replaces a recurring schedule. The same payload again changes nothing (a due but
	 * unclaimed occurrence stays due); a new payload starts from now, skipping what already fired.
	 */
	private async upsertRecurring(kind: RecurringKind, key: string, payload: string, compute: (lastFired: string | null, after: number) => Next | null): Promise<Next | null> {
		const store = this.open();
		for (let attempt = 0; attempt < 10; attempt++) {
			const entry = await store.getSchedule(this.scope, kind, key);
			if (entry && entry.payload === payload) {
				return entry.dueAt !== null && entry.occurrence !== null ? { dueAt: entry.dueAt, occurrence: entry.occurrence } : null;
			}
			const now = this.clock();
			const next = compute(entry?.lastFired ?? null, now);
			const written = await store.putSchedule({
				scope: this.scope,
				kind,
				key,
				expectVersion: entry ? entry.version : null,
				dueAt: next?.dueAt ?? null,
				occurrence: next?.occurrence ?? null,
				payload,
				now,
			});
			if (written) return next;
		}
		throw new ConflictError(`the ${kind} schedule "${key}" kept changing under this update; try again`);
	}

	async scheduleCustomer(profile: CustomerProfileInput, options: ScheduleCustomerOptions = {}): Promise<CustomerSchedule> {
		if (!profile || typeof profile !== 'object') throw new InvalidArgumentError('profile', 'expected a customer profile');
		const id = requireText(profile.id, 'id');
		const zone = profile.timeZone || options.defaultZone || 'UTC';
		parseZone(zone, profile.timeZone ? 'timeZone' : 'defaultZone');
		const customer: FiringCustomer = { id, email: profile.email ?? null, phone: profile.phone ?? null, timeZone: zone };
		const plan = [
			{ kind: 'birthday' as const, date: profile.birthday, opts: options.birthday },
			{ kind: 'renewal' as const, date: profile.renewalDate, opts: options.renewal },
		].map((p) => ({ ...p, rule: p.opts === false || !p.date ? null : annualRule(p.kind, p.date, zone, p.opts ?? {}) }));
		const result: CustomerSchedule = { customerId: id, birthday: null, renewal: null };
		for (const { kind, rule } of plan) {
			if (!rule) {
				await this.open().removeSchedule(this.scope, kind, id);
				continue;
			}
			const payload = JSON.stringify({ rule, customer } satisfies AnnualPayload);
			const next = await this.upsertRecurring(kind, id, payload, (lastFired, after) => annualNext(rule, after, lastFired));
			result[kind] = next?.dueAt ?? null;
		}
		return result;
	}

	async unscheduleCustomer(customerId: string): Promise<void> {
		const id = requireText(customerId, 'customerId');
		await this.open().removeSchedule(this.scope, 'birthday', id);
		await this.open().removeSchedule(this.scope, 'renewal', id);
	}

	async defineCalendar(id: string, definition: CalendarDefinition): Promise<CalendarOccurrence | null> {
		const key = requireText(id, 'id');
		const cal = parseCalendar(definition);
		const next = await this.upsertRecurring('calendar', key, JSON.stringify(definition), (lastFired, after) => {
			const o = nextParsedOccurrence(cal, after, lastFired);
			return o ? { dueAt: o.fireAt, occurrence: o.date } : null;
		});
		return next ? { date: next.occurrence, names: namesOn(cal, next.occurrence), fireAt: next.dueAt } : null;
	}

	async removeCalendar(id: string): Promise<void> {
		await this.open().removeSchedule(this.scope, 'calendar', requireText(id, 'id'));
	}

	async claimDue(options: ClaimOptions = {}): Promise<Firing[]> {
		const kinds = checkKinds(options.kinds);
		const limit = positiveInteger(options.limit, 'limit', 100);
		if (limit > MAX_CLAIM) throw new InvalidArgumentError('limit', `must be at most ${MAX_CLAIM}`);
		const now = options.now ?? this.clock();
		const maxLateMs = options.maxLateMinutes === undefined ? Infinity : nonNegative(options.maxLateMinutes, 'maxLateMinutes', 0) * 60_000;
		const claimed = await this.open().claimDue({
			scope: this.scope,
			kinds,
			now,
			limit,
			leaseMs: this.leaseMs,
			workerId: options.workerId ?? this.workerId,
			retentionMs: this.retentionMs,
		});
		const firings = await Promise.all(claimed.map((e) => this.settle(e, now)));
		return firings.filter((f): f is Firing => f !== null && f.lateMs <= maxLateMs);
	}

	/** Turns a claimed entry into a firing (or nothing) and writes a recurring entry's next occurrence. */
	private async settle(e: ClaimedEntry, now: number): Promise<Firing | null> {
		const base = { id: e.key, dueAt: e.dueAt, firedAt: now, lateMs: Math.max(0, now - e.dueAt) };
		if (e.kind === 'cart') {
			return e.fire ? { ...base, kind: 'cart', cart: JSON.parse(e.payload) as CartSnapshot } : null;
		}
		let firing: Firing | null = null;
		let next: Next | null = null;
		try {
			if (e.kind === 'calendar') {
				const cal = parseCalendar(JSON.parse(e.payload) as CalendarDefinition);
				const def = JSON.parse(e.payload) as CalendarDefinition;
				const o = nextParsedOccurrence(cal, now, e.occurrence);
				next = o ? { dueAt: o.fireAt, occurrence: o.date } : null;
				if (e.fire && e.occurrence) {
					firing = { ...base, kind: 'calendar', name: def.name ?? null, date: e.occurrence, names: namesOn(cal, e.occurrence), data: def.data ?? {} };
				}
			} else {
				const { rule, customer } = JSON.parse(e.payload) as AnnualPayload;
				next = annualNext(rule, now, e.occurrence);
				if (e.fire && e.occurrence) {
					const year = Number(e.occurrence);
					firing = { ...base, kind: e.kind, year, date: formatDate(clampedDate(year, rule.month, rule.day)), customer };
				}
			}
		} catch {
			// A definition this version can no longer read: stop it rather than claim it every lease.
			next = null;
		}
		await this.store.putSchedule({
			scope: this.scope,
			kind: e.kind,
			key: e.key,
			expectVersion: e.version,
			dueAt: next?.dueAt ?? null,
			occurrence: next?.occurrence ?? null,
			payload: e.payload,
			now,
		});
		return firing;
	}

	async nextDueAt(kinds?: DueKind[]): Promise<number | null> {
		return this.open().nextDueAt(this.scope, checkKinds(kinds));
	}

	async lifecycle(options: LifecycleOptions, deliver: (events: LifecycleEvent[]) => Promise<void> | void): Promise<LifecycleResult> {
		const engine = this.options.engine;
		if (!engine) throw new InvalidArgumentError('engine', 'lifecycle triggers need the engine: pass it to createTriggers({ engine })');
		return runLifecycle({ store: this.open(), scope: this.scope, clock: this.clock, engine }, options, deliver);
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		await this.store.close();
	}
}

function deliveryKey(key: unknown): string {
	const k = requireText(key, 'key');
	if (k.length > 200) throw new InvalidArgumentError('key', 'must be at most 200 characters (a hash of the delivery)');
	return k;
}

function annualNext(rule: AnnualRule, after: number, lastFired: string | null): Next | null {
	const o = nextAnnual(rule, after, lastFired === null ? null : Number(lastFired));
	return o ? { dueAt: o.fireAt, occurrence: String(o.year) } : null;
}

/** Opens the trigger state on the engine's store (same options) and returns the service. */
export async function createTriggers(options: TriggersOptions): Promise<Triggers> {
	if (!options || typeof options !== 'object') throw new InvalidArgumentError('options', 'expected { store, scope?, clock?, engine? }');
	const scope = checkScope(options.scope);
	if (options.clock !== undefined && typeof options.clock !== 'function') throw new InvalidArgumentError('clock', 'expected a function returning epoch ms');
	nonNegative(options.leaseSeconds, 'leaseSeconds', 60);
	positiveInteger(options.retentionDays, 'retentionDays', 90);
	const store = await openTriggerStore(options.store);
	return new TriggerService(store, scope, options);
}
