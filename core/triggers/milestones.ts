// Customer milestones: the n-th purchase, and birthdays / renewals in the customer's own time zone.
import { InvalidArgumentError } from '../errors';
import { nonNegativeInteger, positiveInteger } from './check';
import type { AnnualOptions, PurchaseMilestoneOptions } from './types';
import { addDays, clampedDate, formatDate, localDateAt, parseLocalTime, parseMonthDay, parseZone, zonedInstant } from './zoned';

export function checkMilestoneOptions(options: PurchaseMilestoneOptions): PurchaseMilestoneOptions {
	const nth = options.nth?.map((n, i) => positiveInteger(n, `milestones.nth[${i}]`, 1));
	const every = options.every === undefined ? undefined : positiveInteger(options.every, 'milestones.every', 1);
	if (!nth?.length && every === undefined) throw new InvalidArgumentError('milestones', 'give nth (a list of purchase numbers) or every');
	return { nth, every };
}

/** The purchase number when it is a milestone, else null. */
export function purchaseMilestone(purchaseCount: number | null, options: PurchaseMilestoneOptions): number | null {
	if (purchaseCount === null || purchaseCount < 1) return null;
	if (options.nth?.includes(purchaseCount)) return purchaseCount;
	if (options.every !== undefined && purchaseCount % options.every === 0) return purchaseCount;
	return null;
}

export interface AnnualOccurrence {
	/** The year of the birthday / renewal this firing belongs to: one firing per customer and year. */
	year: number;
	/** The day itself in that year (`YYYY-MM-DD`); Feb 29 becomes Feb 28 in common years. */
	date: string;
	fireAt: number;
}

export interface AnnualRule {
	month: number;
	day: number;
	/** Occurrences start in this year (renewals), or any year (birthdays) when null. */
	firstYear: number | null;
	zone: string;
	daysBefore: number;
	time: string;
}

/**
 * The first occurrence firing strictly after `after` whose year is past `lastFiredYear`.
 * A Feb 29 day falls on Feb 28 in common years (the last day of February the customer would see).
 */
export function nextAnnual(rule: AnnualRule, after: number, lastFiredYear: number | null = null): AnnualOccurrence | null {
	const zone = parseZone(rule.zone, 'timeZone');
	const time = parseLocalTime(rule.time, 'time');
	const today = localDateAt(after, zone);
	const from = Math.max(today.year - 1, rule.firstYear ?? -Infinity, (lastFiredYear ?? -Infinity) + 1);
	for (let year = from; year <= Math.max(from, today.year) + 2; year++) {
		const date = clampedDate(year, rule.month, rule.day);
		const fireAt = zonedInstant(addDays(date, -rule.daysBefore), time, zone);
		if (fireAt > after) return { year, date: formatDate(date), fireAt };
	}
	return null;
}

export function annualRule(
	kind: 'birthday' | 'renewal',
	dateText: string,
	zone: string,
	options: AnnualOptions,
): AnnualRule {
	const field = kind === 'birthday' ? 'birthday' : 'renewalDate';
	const md = parseMonthDay(dateText, field);
	parseZone(zone, 'timeZone');
	const time = options.time ?? '09:00';
	parseLocalTime(time, `${kind}.time`);
	const daysBefore = nonNegativeInteger(options.daysBefore, `${kind}.daysBefore`, 0);
	if (daysBefore > 300) throw new InvalidArgumentError(`${kind}.daysBefore`, 'must be at most 300');
	return { month: md.month, day: md.day, firstYear: kind === 'renewal' ? md.year : null, zone, daysBefore, time };
}
