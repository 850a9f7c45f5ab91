import { InvalidArgumentError } from '../../core/errors';
import { nextOccurrence } from '../../core/triggers/calendar';
import { holidaysIn } from '../../core/triggers/holidays';
import type { CalendarDefinition } from '../../core/triggers/types';

const utc = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('calendar: fixed, yearly, monthly, weekly and ranges', () => {
	it('fires a fixed date once, at the local time in its zone, and then never again', () => {
		const def: CalendarDefinition = { rules: [{ type: 'date', date: '2026-11-27', name: 'Black Friday' }], time: '08:00', zone: 'Europe/Berlin' };
		const first = nextOccurrence(def, utc('2026-11-01T00:00:00Z'));
		expect(first).toEqual({ date: '2026-11-27', names: ['Black Friday'], fireAt: utc('2026-11-27T07:00:00Z') });
		expect(nextOccurrence(def, first!.fireAt - 1)?.fireAt).toBe(first!.fireAt);
		// Strictly after: at the firing instant itself it is over.
		expect(nextOccurrence(def, first!.fireAt)).toBeNull();
	});

	it('repeats a store anniversary every year from its founding date on, and days before when asked', () => {
		const def: CalendarDefinition = { rules: [{ type: 'yearly', date: '2019-05-04', name: 'Anniversary' }], time: '10:00', zone: 'America/New_York', daysBefore: 2 };
		expect(iso(nextOccurrence(def, utc('2026-01-01T00:00:00Z'))?.fireAt)).toBe('2026-05-02T14:00:00.000Z');
		expect(nextOccurrence(def, utc('2026-05-02T14:00:00Z'))?.date).toBe('2027-05-04');
		// Before the founding year nothing fires earlier than the founding date.
		expect(nextOccurrence(def, utc('2015-01-01T00:00:00Z'))?.date).toBe('2019-05-04');
	});

	it('skips dates already fired (lastFired) even when the time of day moved later', () => {
		const def: CalendarDefinition = { rules: [{ type: 'yearly', date: '--12-24' }], time: '18:00', zone: 'UTC' };
		expect(nextOccurrence(def, utc('2026-12-24T09:00:00Z'))?.date).toBe('2026-12-24');
		expect(nextOccurrence(def, utc('2026-12-24T09:00:00Z'), '2026-12-24')?.date).toBe('2027-12-24');
	});

	it('clamps a monthly 31st to the last day of short months', () => {
		const def: CalendarDefinition = { rules: [{ type: 'monthly', day: 31 }], time: '00:00' };
		expect(nextOccurrence(def, utc('2027-02-01T00:00:00Z'))?.date).toBe('2027-02-28');
		expect(nextOccurrence(def, utc('2028-02-01T00:00:00Z'))?.date).toBe('2028-02-29');
		expect(nextOccurrence(def, utc('2027-04-29T23:59:59Z'))?.date).toBe('2027-04-30');
		expect(nextOccurrence(def, utc('2027-04-30T00:00:00Z'))?.date).toBe('2027-05-31');
	});

	it('fires weekly on the chosen weekdays', () => {
		const def: CalendarDefinition = { rules: [{ type: 'weekly', days: ['fri', 'sun'] }], time: '12:00', zone: 'Asia/Tokyo' };
		// 2026-07-01 is a Wednesday.
		expect(nextOccurrence(def, utc('2026-07-01T00:00:00Z'))?.date).toBe('2026-07-03');
		expect(nextOccurrence(def, utc('2026-07-03T03:00:00Z'))?.date).toBe('2026-07-05');
	});

	it('fires every day of a range, inclusive, and stops after it', () => {
		const def: CalendarDefinition = { rules: [{ type: 'range', from: '2026-12-01', to: '2026-12-03', name: 'Advent sale' }], time: '09:00' };
		const dates: string[] = [];
		let after = utc('2026-11-01T00:00:00Z');
		for (let o = nextOccurrence(def, after); o; o = nextOccurrence(def, after)) {
			dates.push(o.date);
			after = o.fireAt;
		}
		expect(dates).toEqual(['2026-12-01', '2026-12-02', '2026-12-03']);
	});

	it('makes one occurrence of rules that share a date, with all their names', () => {
		const def: CalendarDefinition = {
			rules: [
				{ type: 'yearly', date: '--12-25', name: 'Xmas promo' },
				{ type: 'holidays', country: 'DE' },
			],
		};
		expect(nextOccurrence(def, utc('2026-12-20T00:00:00Z'))).toEqual({
			date: '2026-12-25',
			names: ['Xmas promo', 'Christmas Day'],
			fireAt: utc('2026-12-25T09:00:00Z'),
		});
	});

	it('names the field of a bad definition', () => {
		const bad = (def: unknown, field: string) => {
			try {
				nextOccurrence(def as CalendarDefinition, 0);
			} catch (err) {
				expect(err).toBeInstanceOf(InvalidArgumentError);
				expect((err as InvalidArgumentError).field).toBe(field);
				return;
			}
			throw new Error(`no error for ${field}`);
		};
		bad({ rules: [] }, 'rules');
		bad({ rules: [{ type: 'date', date: '2026-02-30' }] }, 'rules[0].date');
		bad({ rules: [{ type: 'weekly', days: ['mon', 'funday'] }] }, 'rules[0].days[1]');
		bad({ rules: [{ type: 'range', from: '2026-02-03', to: '2026-02-01' }] }, 'rules[0].to');
		bad({ rules: [{ type: 'holidays', country: 'XX' }] }, 'rules[0].country');
		bad({ rules: [{ type: 'holidays', country: 'GB', state: 'ZZZ' }] }, 'rules[0].state');
		bad({ rules: [{ type: 'date', date: '2026-02-03' }], time: '24:00' }, 'time');
		bad({ rules: [{ type: 'date', date: '2026-02-03' }], zone: 'Mars/Olympus' }, 'zone');
		bad({ rules: [{ type: 'easter' }] }, 'rules[0].type');
	});
});

describe('calendar: daylight saving days', () => {
	const at = (date: string, time: string, zone: string) => nextOccurrence({ rules: [{ type: 'date', date }], time, zone }, 0)?.fireAt;

	it('Europe/Berlin spring forward: 02:30 does not exist, fires when clocks jump to 03:00', () => {
		expect(iso(at('2026-03-29', '02:30', 'Europe/Berlin'))).toBe('2026-03-29T01:00:00.000Z');
		expect(iso(at('2026-03-29', '02:00', 'Europe/Berlin'))).toBe('2026-03-29T01:00:00.000Z');
		expect(iso(at('2026-03-29', '01:59', 'Europe/Berlin'))).toBe('2026-03-29T00:59:00.000Z');
		expect(iso(at('2026-03-29', '03:00', 'Europe/Berlin'))).toBe('2026-03-29T01:00:00.000Z');
		expect(iso(at('2026-03-29', '03:01', 'Europe/Berlin'))).toBe('2026-03-29T01:01:00.000Z');
	});

	it('Europe/Berlin fall back: 02:30 happens twice and fires once, at the first', () => {
		expect(iso(at('2026-10-25', '02:30', 'Europe/Berlin'))).toBe('2026-10-25T00:30:00.000Z');
		expect(iso(at('2026-10-25', '03:00', 'Europe/Berlin'))).toBe('2026-10-25T02:00:00.000Z');
		const daily: CalendarDefinition = { rules: [{ type: 'range', from: '2026-10-24', to: '2026-10-26' }], time: '02:30', zone: 'Europe/Berlin' };
		const fired: string[] = [];
		let after = utc('2026-10-23T00:00:00Z');
		for (let o = nextOccurrence(daily, after); o; o = nextOccurrence(daily, after)) {
			fired.push(`${o.date} ${iso(o.fireAt)}`);
			after = o.fireAt;
		}
		expect(fired).toEqual([
			'2026-10-24 2026-10-24T00:30:00.000Z',
			'2026-10-25 2026-10-25T00:30:00.000Z',
			'2026-10-26 2026-10-26T01:30:00.000Z',
		]);
	});

	it('America/New_York spring forward and fall back', () => {
		expect(iso(at('2026-03-08', '02:30', 'America/New_York'))).toBe('2026-03-08T07:00:00.000Z');
		expect(iso(at('2026-03-08', '01:59', 'America/New_York'))).toBe('2026-03-08T06:59:00.000Z');
		expect(iso(at('2026-03-08', '09:00', 'America/New_York'))).toBe('2026-03-08T13:00:00.000Z');
		expect(iso(at('2026-11-01', '01:30', 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z');
		expect(iso(at('2026-11-01', '02:00', 'America/New_York'))).toBe('2026-11-01T07:00:00.000Z');
		expect(iso(at('2026-11-01', '09:00', 'America/New_York'))).toBe('2026-11-01T14:00:00.000Z');
	});

	it('a daily rule across the New York spring gap fires every day exactly once', () => {
		const daily: CalendarDefinition = { rules: [{ type: 'range', from: '2026-03-07', to: '2026-03-09' }], time: '02:30', zone: 'America/New_York' };
		const fired: string[] = [];
		let after = 0;
		for (let o = nextOccurrence(daily, after); o; o = nextOccurrence(daily, after)) {
			fired.push(iso(o.fireAt)!);
			after = o.fireAt;
		}
		expect(fired).toEqual(['2026-03-07T07:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']);
	});
});

describe('calendar: public holidays from date-holidays', () => {
	const holidays = (country: string, state: string | undefined, year: number) =>
		holidaysIn({ country, state, types: ['public'] }, year).map((h) => `${h.date} ${h.name}`);

	it('Germany, nationally and in Bavaria', () => {
		const de = holidays('DE', undefined, 2026);
		expect(de).toContain('2026-10-03 National Holiday');
		expect(de).toContain('2026-04-06 Easter Monday');
		expect(de.some((h) => h.includes('Epiphany'))).toBe(false);
		expect(holidays('DE', 'BY', 2026)).toContain('2026-01-06 Epiphany');
	});

	it('United States', () => {
		const us = holidays('US', undefined, 2026);
		expect(us).toContain('2026-11-26 Thanksgiving Day');
		expect(us).toContain('2026-07-04 Independence Day');
	});

	it('Great Britain with a region (Scotland) and its substitute days', () => {
		const sct = holidays('GB', 'SCT', 2027);
		expect(sct).toContain('2027-11-30 St Andrew’s Day');
		expect(sct).toContain('2027-12-28 Boxing Day (substitute day)');
		expect(holidays('GB', 'ENG', 2027).some((h) => h.includes('St Andrew'))).toBe(false);
	});

	it('fires on the next holiday at the local time, 3 days before when asked, and filters by name', () => {
		const thanksgiving: CalendarDefinition = {
			rules: [{ type: 'holidays', country: 'us', names: ['thanksgiving day'] }],
			time: '07:00',
			zone: 'America/Los_Angeles',
			daysBefore: 3,
		};
		expect(nextOccurrence(thanksgiving, utc('2026-06-01T00:00:00Z'))).toEqual({
			date: '2026-11-26',
			names: ['Thanksgiving Day'],
			fireAt: utc('2026-11-23T15:00:00Z'),
		});
		expect(nextOccurrence(thanksgiving, utc('2026-11-23T15:00:00Z'))?.date).toBe('2027-11-25');
		const scotland: CalendarDefinition = { rules: [{ type: 'holidays', country: 'GB', state: 'SCT' }], time: '09:00', zone: 'Europe/London' };
		expect(nextOccurrence(scotland, utc('2027-11-29T00:00:00Z'))).toEqual({ date: '2027-11-30', names: ['St Andrew’s Day'], fireAt: utc('2027-11-30T09:00:00Z') });
		const berlin: CalendarDefinition = { rules: [{ type: 'holidays', country: 'DE', state: 'BE' }], time: '09:00', zone: 'Europe/Berlin' };
		expect(nextOccurrence(berlin, utc('2026-03-01T00:00:00Z'))).toEqual({ date: '2026-03-08', names: ["International Women's Day"], fireAt: utc('2026-03-08T08:00:00Z') });
	});

	it('rolls over into next year', () => {
		const de: CalendarDefinition = { rules: [{ type: 'holidays', country: 'DE' }], time: '09:00', zone: 'Europe/Berlin' };
		expect(nextOccurrence(de, utc('2026-12-26T09:00:00Z'))?.date).toBe('2027-01-01');
	});
});

describe('holiday places for pickers', () => {
	it('lists countries, states and regions as date-holidays knows them', async () => {
		const { holidayPlaces } = await import('../../core/triggers/holidays');
		expect(holidayPlaces()).toEqual(expect.arrayContaining([{ code: 'DE', name: 'Germany' }]));
		expect(holidayPlaces('gb')).toEqual(expect.arrayContaining([{ code: 'SCT', name: 'Scotland' }]));
		expect(holidayPlaces('DE', 'BY').length).toBeGreaterThan(0);
		expect(holidayPlaces('XX')).toEqual([]);
	});
});
