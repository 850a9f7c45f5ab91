// Coupon lifecycle events from the ledger, delivered in order behind a durable cursor.
// One call: lease the cursor → read → deliver → commit. A failed delivery releases the lease without
// moving the cursor, so the same events come again; a restart neither loses nor repeats one.
import { randomUUID } from 'node:crypto';
import type { CouponEngine } from '../api';
import { InvalidArgumentError } from '../errors';
import type { LedgerEvent, LedgerEventType } from '../types';
import { nonNegative, positiveInteger, requireText } from './check';
import type { TriggerStore } from './store/types';
import type { LifecycleEvent, LifecycleOptions, LifecycleResult, LifecycleType } from './types';

const DAY_MS = 86_400_000;
const PAGE_MAX = 1000;
// Events read per call at most, so catching up past filtered events stays bounded.
const SCAN_MAX = 10_000;
const TYPES: readonly LifecycleType[] = ['issued', 'redeemed', 'rolled_back', 'limit_reached', 'expiring'];

export interface LifecycleContext {
	store: TriggerStore;
	scope: string;
	clock: () => number;
	engine: CouponEngine;
}

interface CursorState {
	/** The engine's events cursor. */
	after: string | null;
	/** Events before this instant are skipped (a cursor that started "now"). */
	since: number;
}

interface ExpiringPayload {
	code: string;
	campaignId: string | null;
	customerId: string | null;
	expiresAt: number;
}

/** The lifecycle type of a ledger event, or null. `limit_reached` is a rejection for a *_LIMIT_REACHED reason. */
export function lifecycleTypeOf(event: LedgerEvent): Exclude<LifecycleType, 'expiring'> | null {
	switch (event.type) {
		case 'issued':
		case 'redeemed':
		case 'rolled_back':
			return event.type;
		case 'rejected':
			return event.reason?.endsWith('_LIMIT_REACHED') ? 'limit_reached' : null;
		default:
			return null;
	}
}

function fromLedger(event: LedgerEvent, type: LifecycleType, expiresAt: string | null): LifecycleEvent {
	return {
		type,
		id: event.id,
		at: event.at,
		campaignId: event.campaignId,
		code: event.code,
		customerId: event.customerId,
		channel: event.channel,
		amount: event.amount,
		reason: event.reason,
		expiresAt,
		event,
	};
}

function checkOptions(options: LifecycleOptions) {
	if (!options || typeof options !== 'object') throw new InvalidArgumentError('options', 'expected { cursorName, types }');
	const cursorName = requireText(options.cursorName, 'cursorName');
	if (!Array.isArray(options.types) || options.types.length === 0) throw new InvalidArgumentError('types', `give at least one of ${TYPES.join(', ')}`);
	options.types.forEach((t, i) => {
		if (!TYPES.includes(t)) throw new InvalidArgumentError(`types[${i}]`, `expected one of ${TYPES.join(', ')}`);
	});
	const startAt = options.startAt ?? 'now';
	if (startAt !== 'now' && startAt !== 'beginning') throw new InvalidArgumentError('startAt', 'expected now or beginning');
	return {
		cursorName,
		wanted: new Set(options.types),
		withinMs: nonNegative(options.expiringWithinDays, 'expiringWithinDays', 3) * DAY_MS,
		limit: Math.min(positiveInteger(options.limit, 'limit', 100), PAGE_MAX),
		leaseMs: Math.round(nonNegative(options.leaseSeconds, 'leaseSeconds', 60) * 1000),
		campaignId: options.campaignId || undefined,
		startAt,
	};
}

export async function runLifecycle(
	ctx: LifecycleContext,
	options: LifecycleOptions,
	deliver: (events: LifecycleEvent[]) => Promise<void> | void,
): Promise<LifecycleResult> {
	if (typeof deliver !== 'function') throw new InvalidArgumentError('deliver', 'expected a function that delivers the events');
	const opts = checkOptions(options);
	const { store, scope, engine } = ctx;
	const token = randomUUID();
	const now = ctx.clock();
	const lease = await store.leaseCursor(scope, opts.cursorName, token, now, opts.leaseMs);
	if (!lease) return { delivered: 0, busy: true, committed: false };
	try {
		// The lifecycle poll is the timer every host already runs: it also writes the `expired` events that
		// stats count (each code once, whichever worker gets there).
		await engine.expireDue();
		const state: CursorState = lease.cursor ? (JSON.parse(lease.cursor) as CursorState) : { after: null, since: opts.startAt === 'now' ? now : 0 };
		const wantExpiring = opts.wanted.has('expiring');
		const ledgerTypes = new Set<LedgerEventType>();
		for (const t of opts.wanted) ledgerTypes.add(t === 'limit_reached' ? 'rejected' : t === 'expiring' ? 'issued' : t);

		const out: LifecycleEvent[] = [];
		let after = state.after;
		let scanned = 0;
		while (out.length < opts.limit && scanned < SCAN_MAX) {
			// A page never yields more events than it holds, so `out` stays within the limit and each
			// page is consumed whole (the engine's cursor can only point past a page).
			const pageLimit = opts.limit - out.length;
			const page = await engine.events({ after: after ?? undefined, limit: pageLimit, types: [...ledgerTypes], campaignId: opts.campaignId });
			if (page.events.length === 0) break;
			for (const event of page.events) {
				if (Date.parse(event.at) < state.since) continue;
				const type = lifecycleTypeOf(event);
				const deliverIt = type !== null && opts.wanted.has(type);
				if (event.type !== 'issued' || !event.code || (!deliverIt && !wantExpiring)) {
					if (deliverIt) out.push(fromLedger(event, type, null));
					continue;
				}
				const expiresAt = await expiryOf(engine, event, event.code);
				if (wantExpiring && expiresAt) await scheduleExpiring(ctx, opts.cursorName, event, event.code, expiresAt, opts.withinMs, now);
				if (deliverIt) out.push(fromLedger(event, type, expiresAt));
			}
			after = page.cursor;
			scanned += page.events.length;
			if (page.events.length < pageLimit) break;
		}

		const expiringDone: string[] = [];
		if (wantExpiring && out.length < opts.limit) {
			for (const due of await store.dueExpiring(scope, opts.cursorName, now, opts.limit - out.length)) {
				expiringDone.push(due.code);
				const notice = await expiringNotice(engine, JSON.parse(due.payload) as ExpiringPayload, due.dueAt, now);
				if (notice) out.push(notice);
			}
		}

		if (out.length > 0) await deliver(out);
		await store.removeExpiring(scope, opts.cursorName, expiringDone);
		const committed = await store.commitCursor(scope, opts.cursorName, token, JSON.stringify({ after, since: state.since } satisfies CursorState), ctx.clock());
		return { delivered: out.length, busy: false, committed };
	} catch (err) {
		await store.releaseCursor(scope, opts.cursorName, token).catch(() => undefined);
		throw err;
	}
}

/** The code's expiry (ISO) from the event when the engine put it there, else from the code. */
async function expiryOf(engine: CouponEngine, event: LedgerEvent, code: string): Promise<string | null> {
	if (typeof event.data?.expiresAt === 'string') return event.data.expiresAt;
	return (await engine.getCode(code))?.expiresAt ?? null;
}

/** Remembers when to announce an issued code's expiry. */
async function scheduleExpiring(
	ctx: LifecycleContext,
	cursorName: string,
	event: LedgerEvent,
	code: string,
	expiresAtText: string,
	withinMs: number,
	now: number,
): Promise<void> {
	const expiresAt = Date.parse(expiresAtText);
	if (!(expiresAt > now)) return;
	const payload: ExpiringPayload = { code, campaignId: event.campaignId, customerId: event.customerId, expiresAt };
	await ctx.store.putExpiring({ scope: ctx.scope, cursorName, code, dueAt: expiresAt - withinMs, payload: JSON.stringify(payload) });
}

/** An `expiring` event, unless the code was used up, voided or has already expired. */
async function expiringNotice(engine: CouponEngine, p: ExpiringPayload, dueAt: number, now: number): Promise<LifecycleEvent | null> {
	const info = await engine.getCode(p.code);
	if (!info || info.state !== 'active' || info.remainingUses <= 0 || !info.expiresAt || Date.parse(info.expiresAt) <= now) return null;
	return {
		type: 'expiring',
		id: `expiring:${info.code}`,
		at: new Date(dueAt).toISOString(),
		campaignId: info.campaignId,
		code: info.code,
		customerId: info.customerId,
		channel: info.channel,
		amount: null,
		reason: null,
		expiresAt: info.expiresAt,
		event: null,
	};
}
