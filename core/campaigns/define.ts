// Turns a campaign definition (as users write it) into the stored, fully resolved campaign.
import { DateTime, IANAZone } from 'luxon';
import {
	identifier,
	optionalBoolean,
	optionalNumber,
	optionalObject,
	optionalString,
	optionalStringList,
	requireObject,
} from '../args';
import { compileFormat, maxIssuable } from '../codes';
import { InvalidArgumentError } from '../errors';
import { minutesOf } from './rules';
import type { Campaign, CampaignDefinition, DiscountDefinition, TimeWindow, Weekday } from '../types';

const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DEFAULT_GUESS_PROBABILITY = 1e-6;

export function parseZone(value: unknown, field: string): string {
	const zone = optionalString(value, field, 64) ?? 'UTC';
	if (!IANAZone.isValidZone(zone)) throw new InvalidArgumentError(field, `"${zone}" is not an IANA time zone such as Europe/Berlin`);
	return zone;
}

/**
 * ISO date-time; without an offset it is read as local time in `zone`. With `wholeDay`, a date alone means
 * the end of that day: "valid until 31 March" runs through the 31st.
 */
export function parseInstant(value: unknown, zone: string, field: string, wholeDay = false): number | null {
	const text = optionalString(value, field, 64);
	if (text === null) return null;
	const dt = DateTime.fromISO(text, { zone, setZone: false });
	if (!dt.isValid) throw new InvalidArgumentError(field, `"${text}" is not an ISO date-time such as 2027-03-01T00:00`);
	return wholeDay && /^\d{4}-\d{2}-\d{2}$/.test(text.trim()) ? dt.plus({ days: 1 }).toMillis() : dt.toMillis();
}

function parseCurrency(value: unknown, field: string): string | null {
	const c = optionalString(value, field, 8);
	if (c === null) return null;
	if (!/^[A-Za-z]{3}$/.test(c)) throw new InvalidArgumentError(field, `"${c}" is not a 3-letter ISO currency code such as EUR`);
	return c.toUpperCase();
}

function parseDiscount(value: unknown): DiscountDefinition {
	const d = requireObject(value, 'discount');
	switch (d.type) {
		case 'percent': {
			const v = optionalNumber(d.value, 'discount.value', { min: 0, max: 100 });
			if (v === null || v <= 0) throw new InvalidArgumentError('discount.value', 'must be a percentage above 0 and at most 100');
			return { type: 'percent', value: v };
		}
		case 'fixed': {
			const amount = optionalNumber(d.amount, 'discount.amount', { min: 0 });
			if (amount === null || amount <= 0) throw new InvalidArgumentError('discount.amount', 'must be an amount above 0');
			const currency = parseCurrency(d.currency, 'discount.currency');
			if (currency === null) throw new InvalidArgumentError('discount.currency', 'is required for a fixed discount');
			return { type: 'fixed', amount, currency };
		}
		case 'freeShipping':
			return { type: 'freeShipping' };
		default:
			throw new InvalidArgumentError('discount.type', 'must be "percent", "fixed" or "freeShipping"');
	}
}

function parseTime(value: unknown, field: string): string | undefined {
	const t = optionalString(value, field, 5);
	if (t === null) return undefined;
	const m = /^(\d{2}):(\d{2})$/.exec(t);
	if (!m || Number(m[1]) > 24 || Number(m[2]) > 59 || (Number(m[1]) === 24 && m[2] !== '00')) {
		throw new InvalidArgumentError(field, `"${t}" is not a time of day such as 09:30`);
	}
	return t;
}

function parseWindows(value: unknown): TimeWindow[] {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value)) throw new InvalidArgumentError('validity.windows', 'must be a list');
	return value.map((raw, i) => {
		const w = requireObject(raw, `validity.windows[${i}]`);
		const days = optionalStringList(w.days, `validity.windows[${i}].days`);
		if (days) {
			for (const day of days) {
				if (!WEEKDAYS.includes(day.toLowerCase() as Weekday)) {
					throw new InvalidArgumentError(`validity.windows[${i}].days`, `"${day}" is not one of ${WEEKDAYS.join(', ')}`);
				}
			}
		}
		const window: TimeWindow = {};
		if (days) window.days = days.map((d) => d.toLowerCase() as Weekday);
		const from = parseTime(w.from, `validity.windows[${i}].from`);
		const to = parseTime(w.to, `validity.windows[${i}].to`);
		const opens = from ? minutesOf(from) : 0;
		const closes = to ? minutesOf(to) : 24 * 60;
		if (opens === closes || (opens === 24 * 60 && closes === 0)) {
			throw new InvalidArgumentError(
				`validity.windows[${i}].to`,
				`closes when it opens (${from ?? '00:00'}–${to ?? '24:00'}), so it would never be open; leave both out for the whole day`,
			);
		}
		if (from !== undefined) window.from = from;
		if (to !== undefined) window.to = to;
		return window;
	});
}

function limit(value: unknown, field: string): number | null {
	return optionalNumber(value, field, { min: 1, integer: true, max: Number.MAX_SAFE_INTEGER });
}

/** Validates a definition (all fields, before anything is written) and resolves it for storage. */
export function defineCampaign(def: CampaignDefinition, now: number, previous?: Campaign): Campaign {
	const d = requireObject(def, 'campaign');
	const id = identifier(d.id, 'id');
	const format = compileFormat(d.code as CampaignDefinition['code'], 'code');
	const validity = d.validity === undefined || d.validity === null ? {} : requireObject(d.validity, 'validity');
	const zone = parseZone(validity.zone, 'validity.zone');
	const startsAt = parseInstant(validity.start, zone, 'validity.start');
	// An end the update leaves as it was keeps its instant: one stored by an older version, which read a date
	// alone as that day's start, must not move a day later because the campaign was renamed.
	const endsAt =
		previous && validity.end === previous.validity.end && zone === previous.validity.zone
			? previous.validity.endsAt
			: parseInstant(validity.end, zone, 'validity.end', true);
	if (startsAt !== null && endsAt !== null && endsAt <= startsAt) {
		throw new InvalidArgumentError('validity.end', 'must be after validity.start');
	}
	const lifetimeDays = optionalNumber(validity.lifetimeDays, 'validity.lifetimeDays', { min: 1, max: 3650, integer: true });
	const limits = d.limits === undefined || d.limits === null ? {} : requireObject(d.limits, 'limits');
	const rules = d.rules === undefined || d.rules === null ? {} : requireObject(d.rules, 'rules');
	const maxGuessProbability =
		optionalNumber(d.maxGuessProbability, 'maxGuessProbability', { min: 0, max: 1 }) ?? DEFAULT_GUESS_PROBABILITY;
	if (maxGuessProbability <= 0) throw new InvalidArgumentError('maxGuessProbability', 'must be above 0');
	const maxIssued = maxIssuable(format.space, maxGuessProbability);
	const issuance = limit(limits.issuance, 'limits.issuance');
	if (maxIssued < 1) {
		throw new InvalidArgumentError(
			'code',
			`the code pattern holds ${format.space} codes: too few for even one code at a guess probability of ${maxGuessProbability}; add symbols`,
		);
	}
	if (issuance !== null && issuance > maxIssued) {
		throw new InvalidArgumentError(
			'limits.issuance',
			`${issuance} codes would make a random guess likelier than ${maxGuessProbability}; the pattern allows at most ${maxIssued} — lengthen the code or lower the limit`,
		);
	}
	const discount = parseDiscount(d.discount);
	const currency = parseCurrency(rules.currency, 'rules.currency');
	if (discount.type === 'fixed' && currency !== null && currency !== discount.currency) {
		throw new InvalidArgumentError('rules.currency', `must equal discount.currency (${discount.currency}) for a fixed discount`);
	}
	const minOrderAmount = optionalNumber(rules.minOrderAmount, 'rules.minOrderAmount', { min: 0 });
	const name = optionalString(d.name, 'name', 200) ?? id;
	const metadata = optionalObject(d.metadata, 'metadata') ?? {};
	const active = optionalBoolean(d.active, 'active') ?? true;

	const campaign: Campaign = {
		id,
		name,
		code: { pattern: format.pattern, charset: format.charset, checkCharacter: format.checkCharacter },
		discount,
		validity: {
			zone,
			startsAt,
			endsAt,
			lifetimeDays,
			windows: parseWindows(validity.windows),
		},
		limits: {
			perCode: limit(limits.perCode, 'limits.perCode') ?? 1,
			perCustomer: limit(limits.perCustomer, 'limits.perCustomer'),
			total: limit(limits.total, 'limits.total'),
			issuance,
		},
		rules: {
			minOrderAmount,
			currency: currency ?? (discount.type === 'fixed' ? discount.currency : null),
			firstOrderOnly: optionalBoolean(rules.firstOrderOnly, 'rules.firstOrderOnly') ?? false,
			segments: optionalStringList(rules.segments, 'rules.segments') ?? [],
			channels: optionalStringList(rules.channels, 'rules.channels') ?? [],
		},
		capacity: { space: format.space, maxIssued },
		maxGuessProbability,
		metadata,
		active,
		version: previous ? previous.version + 1 : 1,
		createdAt: previous ? previous.createdAt : now,
		updatedAt: now,
	};
	if (typeof validity.start === 'string') campaign.validity.start = validity.start;
	if (typeof validity.end === 'string') campaign.validity.end = validity.end;
	if (previous) {
		const before = previous.code;
		if (before.pattern !== campaign.code.pattern || before.charset !== campaign.code.charset || before.checkCharacter !== campaign.code.checkCharacter) {
			throw new InvalidArgumentError('code', 'the code format of a campaign cannot change once it exists; create a new campaign');
		}
	}
	return campaign;
}

/** The definition a stored campaign came from, for updates that merge a patch over it. */
export function definitionOf(c: Campaign): CampaignDefinition {
	return {
		id: c.id,
		name: c.name,
		code: { pattern: c.code.pattern, charset: c.code.charset, checkCharacter: c.code.checkCharacter },
		discount: c.discount,
		validity: {
			zone: c.validity.zone,
			start: c.validity.start ?? (c.validity.startsAt === null ? undefined : new Date(c.validity.startsAt).toISOString()),
			end: c.validity.end ?? (c.validity.endsAt === null ? undefined : new Date(c.validity.endsAt).toISOString()),
			lifetimeDays: c.validity.lifetimeDays ?? undefined,
			windows: c.validity.windows,
		},
		limits: {
			perCode: c.limits.perCode,
			perCustomer: c.limits.perCustomer ?? undefined,
			total: c.limits.total ?? undefined,
			issuance: c.limits.issuance ?? undefined,
		},
		rules: {
			minOrderAmount: c.rules.minOrderAmount ?? undefined,
			currency: c.rules.currency ?? undefined,
			firstOrderOnly: c.rules.firstOrderOnly,
			segments: c.rules.segments,
			channels: c.rules.channels,
		},
		maxGuessProbability: c.maxGuessProbability,
		metadata: c.metadata,
		active: c.active,
	};
}
