import { InvalidArgumentError } from '../../core/errors';
import { annualRule, nextAnnual, purchaseMilestone } from '../../core/triggers/milestones';

const utc = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('n-th purchase', () => {
	it('reaches listed purchase numbers and every n-th, nothing else', () => {
		expect(purchaseMilestone(1, { nth: [1, 5] })).toBe(1);
		expect(purchaseMilestone(4, { nth: [1, 5] })).toBeNull();
		expect(purchaseMilestone(5, { nth: [1, 5] })).toBe(5);
		expect(purchaseMilestone(6, { nth: [1, 5] })).toBeNull();
		expect(purchaseMilestone(20, { every: 10 })).toBe(20);
		expect(purchaseMilestone(21, { every: 10 })).toBeNull();
		expect(purchaseMilestone(null, { every: 1 })).toBeNull();
	});
});

describe('birthdays and renewals in the customer zone', () => {
	it('fires on the day at the local time in the customer zone', () => {
		const rule = annualRule('birthday', '1990-07-14', 'Australia/Sydney', { time: '08:00' });
		const next = nextAnnual(rule, utc('2026-03-01T00:00:00Z'));
		expect(next).toEqual({ year: 2026, date: '2026-07-14', fireAt: utc('2026-07-13T22:00:00Z') });
		expect(nextAnnual(rule, next!.fireAt)?.year).toBe(2027);
	});

	it('fires N days before, still counted to the year of the day itself', () => {
		const rule = annualRule('birthday', '--01-02', 'Europe/Berlin', { daysBefore: 5, time: '09:00' });
		const next = nextAnnual(rule, utc('2026-12-01T00:00:00Z'));
		expect(next).toEqual({ year: 2027, date: '2027-01-02', fireAt: utc('2026-12-28T08:00:00Z') });
	});

	it('once per customer per year: a year already fired is skipped even if the date moves', () => {
		const rule = annualRule('birthday', '--03-10', 'UTC', {});
		expect(nextAnnual(rule, utc('2026-03-05T00:00:00Z'), 2026)?.year).toBe(2027);
		expect(nextAnnual(rule, utc('2026-03-05T00:00:00Z'), null)?.year).toBe(2026);
	});

	it('leap-day birthdays fire on Feb 28 in common years and Feb 29 in leap years', () => {
		const rule = annualRule('birthday', '2000-02-29', 'America/New_York', { time: '09:00' });
		const seen: string[] = [];
		let after = utc('2026-01-01T00:00:00Z');
		for (let i = 0; i < 4; i++) {
			const o = nextAnnual(rule, after)!;
			seen.push(`${o.date} ${iso(o.fireAt)}`);
			after = o.fireAt;
		}
		expect(seen).toEqual([
			'2026-02-28 2026-02-28T14:00:00.000Z',
			'2027-02-28 2027-02-28T14:00:00.000Z',
			'2028-02-29 2028-02-29T14:00:00.000Z',
			'2029-02-28 2029-02-28T14:00:00.000Z',
		]);
	});

	it('a birthday whose local time falls in the spring-forward gap fires when clocks jump', () => {
		const rule = annualRule('birthday', '--03-29', 'Europe/Berlin', { time: '02:30' });
		expect(iso(nextAnnual(rule, utc('2026-01-01T00:00:00Z'))!.fireAt)).toBe('2026-03-29T01:00:00.000Z');
	});

	it('renewals start at the renewal date and repeat yearly', () => {
		const rule = annualRule('renewal', '2027-06-01', 'UTC', { daysBefore: 7 });
		expect(nextAnnual(rule, utc('2026-01-01T00:00:00Z'))).toEqual({ year: 2027, date: '2027-06-01', fireAt: utc('2027-05-25T09:00:00Z') });
		const past = annualRule('renewal', '2024-02-29', 'UTC', {});
		expect(nextAnnual(past, utc('2026-01-01T00:00:00Z'))?.date).toBe('2026-02-28');
	});

	it('names the bad field', () => {
		expect(() => annualRule('birthday', '1990-13-01', 'UTC', {})).toThrow(InvalidArgumentError);
		expect(() => annualRule('birthday', '1990-02-30', 'UTC', {})).toThrow(/birthday/);
		expect(() => annualRule('renewal', 'soon', 'UTC', {})).toThrow(/renewalDate/);
		expect(() => annualRule('birthday', '--02-29', 'Nowhere/Land', {})).toThrow(/timeZone/);
		expect(() => annualRule('birthday', '--02-29', 'UTC', { daysBefore: -1 })).toThrow(/birthday.daysBefore/);
	});
});
