// Checks that need no stored state: time windows, channel, currency, minimum order, eligibility.
import { DateTime } from 'luxon';
import type { Campaign, DiscountDefinition, RejectionReason, Weekday } from '../types';

const WEEKDAY_OF_LUXON: Record<number, Weekday> = { 1: 'mon', 2: 'tue', 3: 'wed', 4: 'thu', 5: 'fri', 6: 'sat', 7: 'sun' };

export interface RuleContext {
	now: number;
	channel: string | null;
	orderAmount: number | null;
	currency: string | null;
	/** Segments or tags the customer carries; null when unknown. */
	segments: string[] | null;
	firstOrder: boolean | null;
}

/** Minutes since midnight of an `HH:MM` time of day. */
export function minutesOf(hhmm: string): number {
	const [h, m] = hhmm.split(':').map(Number);
	return h * 60 + m;
}

export function insideWindows(campaign: Campaign, now: number): boolean {
	const windows = campaign.validity.windows;
	if (windows.length === 0) return true;
	const local = DateTime.fromMillis(now, { zone: campaign.validity.zone });
	const day = WEEKDAY_OF_LUXON[local.weekday];
	const dayBefore = WEEKDAY_OF_LUXON[((local.weekday + 5) % 7) + 1];
	const minute = local.hour * 60 + local.minute;
	return windows.some((w) => {
		const on = (d: Weekday) => !w.days || w.days.length === 0 || w.days.includes(d);
		const from = w.from ? minutesOf(w.from) : 0;
		const to = w.to ? minutesOf(w.to) : 24 * 60;
		if (from <= to) return on(day) && minute >= from && minute < to;
		// A window across midnight belongs to the day it opens: Friday 22:00–02:00 ends on Saturday at 02:00.
		return (on(day) && minute >= from) || (on(dayBefore) && minute < to);
	});
}

/** Campaign-wide state at `now`: paused, not started, over. */
export function campaignTiming(campaign: Campaign, now: number): RejectionReason | null {
	if (!campaign.active) return 'INACTIVE';
	if (campaign.validity.startsAt !== null && now < campaign.validity.startsAt) return 'NOT_STARTED';
	if (campaign.validity.endsAt !== null && now >= campaign.validity.endsAt) return 'EXPIRED';
	return null;
}

export function channelAllowed(campaign: Campaign, channel: string | null): boolean {
	const allowed = campaign.rules.channels;
	return allowed.length === 0 || (channel !== null && allowed.includes(channel));
}

/** Everything a use of a code must pass before the store is asked, in a fixed order. */
export function checkUseRules(campaign: Campaign, ctx: RuleContext): RejectionReason | null {
	const timing = campaignTiming(campaign, ctx.now);
	if (timing) return timing;
	if (!insideWindows(campaign, ctx.now)) return 'OUTSIDE_TIME_WINDOW';
	if (!channelAllowed(campaign, ctx.channel)) return 'CHANNEL_NOT_ALLOWED';
	const rules = campaign.rules;
	if (rules.currency !== null && ctx.currency !== null && ctx.currency !== rules.currency) return 'CURRENCY_MISMATCH';
	// A minimum of 0 asks for nothing, not even an order amount.
	if (rules.minOrderAmount !== null && rules.minOrderAmount > 0) {
		if (ctx.orderAmount === null || ctx.orderAmount < rules.minOrderAmount) return 'MIN_ORDER_NOT_MET';
		if (rules.currency !== null && ctx.currency === null) return 'CURRENCY_MISMATCH';
	}
	if (rules.segments.length > 0) {
		const has = ctx.segments ?? [];
		if (!rules.segments.some((s) => has.includes(s))) return 'NOT_ELIGIBLE';
	}
	if (rules.firstOrderOnly && ctx.firstOrder === false) return 'NOT_ELIGIBLE';
	return null;
}

/** What the discount takes off the order, rounded to cents; null without an order amount. */
export function discountAmount(discount: DiscountDefinition, orderAmount: number | null): number | null {
	if (orderAmount === null) return null;
	switch (discount.type) {
		case 'percent':
			return Math.round(orderAmount * discount.value) / 100;
		case 'fixed':
			return Math.min(discount.amount, orderAmount);
		case 'freeShipping':
			return 0;
	}
}

/** When a code issued at `issuedAt` stops being valid: its lifetime in the campaign zone, capped by the campaign end. */
export function codeExpiry(campaign: Campaign, issuedAt: number): number | null {
	const end = campaign.validity.endsAt;
	const days = campaign.validity.lifetimeDays;
	if (days === null) return end;
	const lifetimeEnd = DateTime.fromMillis(issuedAt, { zone: campaign.validity.zone }).plus({ days }).toMillis();
	return end === null ? lifetimeEnd : Math.min(end, lifetimeEnd);
}
