// Calendar dates, wall-clock times and the instants they stand for in an IANA time zone.
import { IANAZone } from 'luxon';
import { InvalidArgumentError } from '../errors';

export interface LocalDate {
	year: number;
	month: number;
	day: number;
}

export interface LocalTime {
	hour: number;
	minute: number;
}

const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_DAY_RE = /^(?:--|(\d{4})-)?(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})$/;

export function isLeapYear(year: number): boolean {
	return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
	return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function checkedDate(year: number, month: number, day: number, field: string, text: string): LocalDate {
	if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
		throw new InvalidArgumentError(field, `"${text}" is not a calendar date`);
	}
	return { year, month, day };
}

/** `YYYY-MM-DD`. */
export function parseLocalDate(text: unknown, field: string): LocalDate {
	const m = typeof text === 'string' ? DATE_RE.exec(text) : null;
	if (!m) throw new InvalidArgumentError(field, `expected a date as YYYY-MM-DD, got ${JSON.stringify(text)}`);
	return checkedDate(Number(m[1]), Number(m[2]), Number(m[3]), field, text as string);
}

/** `YYYY-MM-DD`, `--MM-DD` or `MM-DD`; the year, when given, is kept. Feb 29 is accepted without a year. */
export function parseMonthDay(text: unknown, field: string): { month: number; day: number; year: number | null } {
	const m = typeof text === 'string' ? MONTH_DAY_RE.exec(text) : null;
	if (!m) throw new InvalidArgumentError(field, `expected YYYY-MM-DD, --MM-DD or MM-DD, got ${JSON.stringify(text)}`);
	const year = m[1] === undefined ? null : Number(m[1]);
	const d = checkedDate(year ?? 2000, Number(m[2]), Number(m[3]), field, text as string);
	return { month: d.month, day: d.day, year };
}

/** `HH:mm`, 24-hour clock. */
export function parseLocalTime(text: unknown, field: string): LocalTime {
	const m = typeof text === 'string' ? TIME_RE.exec(text) : null;
	const hour = m ? Number(m[1]) : NaN;
	const minute = m ? Number(m[2]) : NaN;
	if (!m || hour > 23 || minute > 59) {
		throw new InvalidArgumentError(field, `expected a time as HH:mm (00:00–23:59), got ${JSON.stringify(text)}`);
	}
	return { hour, minute };
}

export function parseZone(name: unknown, field: string): IANAZone {
	if (typeof name !== 'string' || !IANAZone.isValidZone(name)) {
		throw new InvalidArgumentError(field, `expected an IANA time zone such as Europe/Berlin, got ${JSON.stringify(name)}`);
	}
	return IANAZone.create(name) as IANAZone;
}

export function formatDate(d: LocalDate): string {
	return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

export function addDays(d: LocalDate, days: number): LocalDate {
	const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
	return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

export function compareDates(a: LocalDate, b: LocalDate): number {
	return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Day of week, 1 = Monday … 7 = Sunday. */
export function weekday(d: LocalDate): number {
	const w = new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
	return w === 0 ? 7 : w;
}

/** Month and day in `year`; a day past the month's end (Feb 29 in a common year, the 31st) becomes its last day. */
export function clampedDate(year: number, month: number, day: number): LocalDate {
	return { year, month, day: Math.min(day, daysInMonth(year, month)) };
}

function wallClock(ms: number, zone: IANAZone): number {
	return ms + zone.offset(ms) * 60_000;
}

/** The calendar date in `zone` at instant `ms`. */
export function localDateAt(ms: number, zone: IANAZone): LocalDate {
	const t = new Date(wallClock(ms, zone));
	return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/**
 * The instant at which clocks in `zone` show `time` on `date`.
 * A time skipped by a spring-forward change resolves to the first instant after the gap (the moment
 * clocks jump past it); a time that happens twice on a fall-back day resolves to the first of the two.
 */
export function zonedInstant(date: LocalDate, time: LocalTime, zone: IANAZone): number {
	const wall = Date.UTC(date.year, date.month - 1, date.day, time.hour, time.minute);
	const offsets = new Set([zone.offset(wall - DAY_MS), zone.offset(wall), zone.offset(wall + DAY_MS)]);
	let best: number | null = null;
	for (const offset of offsets) {
		const t = wall - offset * 60_000;
		if (zone.offset(t) === offset && (best === null || t < best)) best = t;
	}
	if (best !== null) return best;
	// In a gap: the first instant whose wall clock reads at or past the wanted time.
	let lo = wall - DAY_MS;
	let hi = wall + DAY_MS;
	while (hi - lo > 1) {
		const mid = Math.floor((lo + hi) / 2);
		if (wallClock(mid, zone) >= wall) hi = mid;
		else lo = mid;
	}
	return hi;
}
