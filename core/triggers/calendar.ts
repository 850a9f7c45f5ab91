// Marketing calendar: fixed dates, yearly / monthly / weekly dates, date ranges and public holidays,
// each firing at a local time in a chosen zone. Pure: definition + instant in → next occurrence out.
import { InvalidArgumentError } from '../errors';
import type { Weekday } from '../types';
import { nonNegativeInteger, positiveInteger } from './check';
import { checkHolidayPlace, holidaysIn, type HolidayPlace } from './holidays';
import type { CalendarDefinition, CalendarOccurrence, CalendarRule } from './types';
import {
	addDays,
	clampedDate,
	compareDates,
	formatDate,
	localDateAt,
	parseLocalDate,
	parseLocalTime,
	parseMonthDay,
	parseZone,
	weekday,
	zonedInstant,
	type LocalDate,
} from './zoned';

const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
// Far enough for any rule that can still occur (a yearly Feb 29 is clamped, so every rule recurs yearly).
const HORIZON_YEARS = 3;

/** A rule, parsed: the first date on or after a given one that it covers, and its names on a date. */
export interface DateRule {
	nextOnOrAfter(from: LocalDate): LocalDate | null;
	namesOn(date: LocalDate): string[];
}

function simpleRule(name: string | null, nextOnOrAfter: (from: LocalDate) => LocalDate | null): DateRule {
	return {
		nextOnOrAfter,
		namesOn(date) {
			const hit = nextOnOrAfter(date);
			return hit && name !== null && compareDates(hit, date) === 0 ? [name] : [];
		},
	};
}

function fixedRule(date: LocalDate, name: string | null): DateRule {
	return simpleRule(name, (from) => (compareDates(date, from) >= 0 ? date : null));
}

function yearlyRule(text: string, field: string, name: string | null): DateRule {
	const md = parseMonthDay(text, field);
	return simpleRule(name, (from) => {
		for (let y = Math.max(from.year, md.year ?? -Infinity); y <= Math.max(from.year, md.year ?? -Infinity) + 1; y++) {
			const date = clampedDate(y, md.month, md.day);
			if (compareDates(date, from) >= 0) return date;
		}
		return null;
	});
}

function monthlyRule(day: number, name: string | null): DateRule {
	return simpleRule(name, (from) => {
		const here = clampedDate(from.year, from.month, day);
		if (compareDates(here, from) >= 0) return here;
		const next = addDays({ year: from.year, month: from.month, day: 1 }, 32);
		return clampedDate(next.year, next.month, day);
	});
}

function weeklyRule(days: number[], name: string | null): DateRule {
	return simpleRule(name, (from) => {
		for (let i = 0; i < 7; i++) {
			const date = addDays(from, i);
			if (days.includes(weekday(date))) return date;
		}
		return null;
	});
}

function rangeRule(from: LocalDate, to: LocalDate, name: string | null): DateRule {
	return simpleRule(name, (at) => {
		const date = compareDates(at, from) > 0 ? at : from;
		return compareDates(date, to) <= 0 ? date : null;
	});
}

function holidayRule(place: HolidayPlace, names: string[] | null): DateRule {
	const wanted = names?.map((n) => n.toLowerCase()) ?? null;
	const matches = (name: string) => !wanted || wanted.includes(name.toLowerCase());
	return {
		nextOnOrAfter(from) {
			const fromText = formatDate(from);
			for (let y = from.year; y <= from.year + 1; y++) {
				const hit = holidaysIn(place, y).find((h) => h.date >= fromText && matches(h.name));
				if (hit) return parseLocalDate(hit.date, 'holiday');
			}
			return null;
		},
		namesOn(date) {
			const text = formatDate(date);
			return holidaysIn(place, date.year)
				.filter((h) => h.date === text && matches(h.name))
				.map((h) => h.name);
		},
	};
}

function parseRule(rule: CalendarRule, field: string): DateRule {
	if (!rule || typeof rule !== 'object') throw new InvalidArgumentError(field, 'expected a rule object');
	const name = 'name' in rule && typeof rule.name === 'string' && rule.name !== '' ? rule.name : null;
	switch (rule.type) {
		case 'date':
			return fixedRule(parseLocalDate(rule.date, `${field}.date`), name);
		case 'yearly':
			return yearlyRule(rule.date, `${field}.date`, name);
		case 'monthly': {
			const day = positiveInteger(rule.day, `${field}.day`, 1);
			if (day > 31) throw new InvalidArgumentError(`${field}.day`, 'must be 1–31');
			return monthlyRule(day, name);
		}
		case 'weekly': {
			if (!Array.isArray(rule.days) || rule.days.length === 0) throw new InvalidArgumentError(`${field}.days`, 'give at least one of mon … sun');
			const days = rule.days.map((d, i) => {
				const n = WEEKDAYS.indexOf(d);
				if (n < 0) throw new InvalidArgumentError(`${field}.days[${i}]`, `expected one of ${WEEKDAYS.join(', ')}`);
				return n + 1;
			});
			return weeklyRule(days, name);
		}
		case 'range': {
			const from = parseLocalDate(rule.from, `${field}.from`);
			const to = parseLocalDate(rule.to, `${field}.to`);
			if (compareDates(from, to) > 0) throw new InvalidArgumentError(`${field}.to`, 'is before from');
			return rangeRule(from, to, name);
		}
		case 'holidays': {
			const place = checkHolidayPlace(rule, field);
			if (rule.names !== undefined && (!Array.isArray(rule.names) || rule.names.some((n) => typeof n !== 'string'))) {
				throw new InvalidArgumentError(`${field}.names`, 'expected a list of holiday names');
			}
			return holidayRule(place, rule.names?.length ? rule.names : null);
		}
		default:
			throw new InvalidArgumentError(`${field}.type`, 'expected date, yearly, monthly, weekly, range or holidays');
	}
}

export interface ParsedCalendar {
	rules: DateRule[];
	time: ReturnType<typeof parseLocalTime>;
	zone: ReturnType<typeof parseZone>;
	daysBefore: number;
}

/** Checks a definition completely, throwing InvalidArgumentError naming the field at fault. */
export function parseCalendar(def: CalendarDefinition): ParsedCalendar {
	if (!def || typeof def !== 'object') throw new InvalidArgumentError('definition', 'expected an object');
	if (!Array.isArray(def.rules) || def.rules.length === 0) throw new InvalidArgumentError('rules', 'give at least one rule');
	const daysBefore = nonNegativeInteger(def.daysBefore, 'daysBefore', 0);
	if (daysBefore > 300) throw new InvalidArgumentError('daysBefore', 'must be at most 300');
	return {
		rules: def.rules.map((r, i) => parseRule(r, `rules[${i}]`)),
		time: parseLocalTime(def.time ?? '09:00', 'time'),
		zone: parseZone(def.zone ?? 'UTC', 'zone'),
		daysBefore,
	};
}

/**
 * The first occurrence that fires strictly after `after` and whose date is after `lastFired`
 * (`YYYY-MM-DD`), or null when the calendar has no more.
 * Several rules or holidays falling on one date make one occurrence carrying all their names.
 */
export function nextOccurrence(def: CalendarDefinition, after: number, lastFired: string | null = null): CalendarOccurrence | null {
	return nextParsedOccurrence(parseCalendar(def), after, lastFired);
}

export function nextParsedOccurrence(cal: ParsedCalendar, after: number, lastFired: string | null = null): CalendarOccurrence | null {
	// The first event date whose firing (daysBefore earlier) could be after `after`.
	let from = addDays(localDateAt(after, cal.zone), cal.daysBefore - 1);
	if (lastFired) {
		const next = addDays(parseLocalDate(lastFired, 'lastFired'), 1);
		if (compareDates(next, from) > 0) from = next;
	}
	const horizon = from.year + HORIZON_YEARS;
	while (from.year <= horizon) {
		let best: LocalDate | null = null;
		for (const rule of cal.rules) {
			const hit = rule.nextOnOrAfter(from);
			if (hit && (best === null || compareDates(hit, best) < 0)) best = hit;
		}
		if (best === null) return null;
		const fireAt = zonedInstant(addDays(best, -cal.daysBefore), cal.time, cal.zone);
		if (fireAt > after) {
			const day = best;
			const names = [...new Set(cal.rules.flatMap((rule) => rule.namesOn(day)))];
			return { date: formatDate(best), names, fireAt };
		}
		from = addDays(best, 1);
	}
	return null;
}

/** Names of the rules and holidays that fall on `date` (`YYYY-MM-DD`). */
export function namesOn(cal: ParsedCalendar, date: string): string[] {
	const day = parseLocalDate(date, 'date');
	return [...new Set(cal.rules.flatMap((rule) => rule.namesOn(day)))];
}
