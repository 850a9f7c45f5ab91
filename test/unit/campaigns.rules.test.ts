// Rules that need no store: weekday/hour windows in the campaign's zone and the minimum order.
import { defineCampaign, definitionOf } from '../../core/campaigns/define';
import { checkUseRules, insideWindows } from '../../core/campaigns/rules';
import { InvalidArgumentError } from '../../core/errors';
import type { CampaignDefinition } from '../../core/types';

const created = Date.parse('2027-01-01T00:00:00Z');
const define = (over: Partial<CampaignDefinition>) =>
	defineCampaign({ id: 'c', code: { length: 10 }, discount: { type: 'percent', value: 10 }, ...over }, created);
// Berlin local time (CET, UTC+1, in January 2027); 2027-01-08 is a Friday.
const berlin = (local: string) => Date.parse(`${local}+01:00`);
const facts = { channel: null, orderAmount: null, currency: null, segments: null, firstOrder: null };

describe('weekday and hour windows', () => {
	const friday = define({ validity: { zone: 'Europe/Berlin', windows: [{ days: ['fri'], from: '22:00', to: '02:00' }] } });

	it.each([
		['Friday 21:59', '2027-01-08T21:59:00', false],
		['Friday 22:00', '2027-01-08T22:00:00', true],
		['Friday 23:59', '2027-01-08T23:59:00', true],
		['Saturday 00:30, the same night', '2027-01-09T00:30:00', true],
		['Saturday 01:59', '2027-01-09T01:59:00', true],
		['Saturday 02:00', '2027-01-09T02:00:00', false],
		['Friday 00:30, the night before (Thursday night)', '2027-01-08T00:30:00', false],
		['Saturday 22:30', '2027-01-09T22:30:00', false],
	])('a Friday window from 22:00 to 02:00: %s → %s', (_label, local, open) => {
		expect(insideWindows(friday, berlin(local))).toBe(open);
	});

	it('a window across midnight on Sunday ends on Monday morning', () => {
		const sunday = define({ validity: { zone: 'Europe/Berlin', windows: [{ days: ['sun'], from: '20:00', to: '01:00' }] } });
		expect(insideWindows(sunday, berlin('2027-01-11T00:30:00'))).toBe(true); // Monday
		expect(insideWindows(sunday, berlin('2027-01-10T00:30:00'))).toBe(false); // Sunday, Saturday night
	});

	it.each([
		[{ from: '09:00', to: '09:00' }, '09:00–09:00'],
		[{ from: '00:00', to: '00:00' }, '00:00–00:00'],
		[{ from: '24:00' }, '24:00–24:00'],
		[{ from: '24:00', to: '00:00' }, '24:00–00:00'],
	])('refuses a window that is never open: %j', (window, shown) => {
		const attempt = () => define({ validity: { windows: [{ days: ['mon'] }, window] } });
		expect(attempt).toThrow(InvalidArgumentError);
		expect(attempt).toThrow(`validity.windows[1].to`);
		expect(attempt).toThrow(shown);
	});

	it('takes 00:00 to 24:00 as the whole day', () => {
		const allDay = define({ validity: { zone: 'UTC', windows: [{ from: '00:00', to: '24:00' }] } });
		expect(insideWindows(allDay, Date.parse('2027-01-08T23:59:59Z'))).toBe(true);
	});
});

describe('minimum order', () => {
	it('asks for no order amount when the minimum is 0', () => {
		const c = define({ rules: { minOrderAmount: 0, currency: 'EUR' } });
		expect(checkUseRules(c, { ...facts, now: created })).toBeNull();
	});

	it('refuses a use without an order amount when the minimum is above 0', () => {
		const c = define({ rules: { minOrderAmount: 20 } });
		expect(checkUseRules(c, { ...facts, now: created })).toBe('MIN_ORDER_NOT_MET');
		expect(checkUseRules(c, { ...facts, now: created, orderAmount: 20 })).toBeNull();
	});
});

describe('validity end', () => {
	it('runs through the whole day when the end is a date alone, also on a day of 23 hours', () => {
		const c = define({ validity: { zone: 'Europe/Berlin', end: '2027-03-28' } });
		expect(new Date(c.validity.endsAt ?? 0).toISOString()).toBe('2027-03-28T22:00:00.000Z'); // midnight after, CEST
		expect(checkUseRules(c, { ...facts, now: Date.parse('2027-03-28T21:59:59Z') })).toBeNull();
		expect(checkUseRules(c, { ...facts, now: Date.parse('2027-03-28T22:00:00Z') })).toBe('EXPIRED');
	});

	it('stops at the very moment an end with a time names', () => {
		const c = define({ validity: { zone: 'Europe/Berlin', end: '2027-03-20T00:00' } });
		expect(new Date(c.validity.endsAt ?? 0).toISOString()).toBe('2027-03-19T23:00:00.000Z');
	});

	it('keeps the instant of an end an update leaves as it was, as an older version stored it', () => {
		const stored = define({ validity: { zone: 'UTC', end: '2027-03-31' } });
		// An older version read a date alone as the start of that day.
		const older = { ...stored, validity: { ...stored.validity, endsAt: Date.parse('2027-03-31T00:00:00Z') } };
		const renamed = defineCampaign({ ...definitionOf(older), name: 'renamed' }, created, older);
		expect(renamed.validity.endsAt).toBe(Date.parse('2027-03-31T00:00:00Z'));
		const moved = defineCampaign({ ...definitionOf(older), validity: { zone: 'UTC', end: '2027-04-30' } }, created, older);
		expect(moved.validity.endsAt).toBe(Date.parse('2027-05-01T00:00:00Z'));
		const otherZone = defineCampaign({ ...definitionOf(older), validity: { zone: 'Europe/Berlin', end: '2027-03-31' } }, created, older);
		expect(otherZone.validity.endsAt).toBe(Date.parse('2027-03-31T22:00:00Z'));
	});

	it('accepts a campaign of one day, start and end on the same date', () => {
		const c = define({ validity: { zone: 'UTC', start: '2027-04-01', end: '2027-04-01' } });
		expect((c.validity.endsAt ?? 0) - (c.validity.startsAt ?? 0)).toBe(24 * 3600 * 1000);
	});
});
