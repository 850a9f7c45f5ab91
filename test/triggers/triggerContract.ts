// One behaviour suite for triggers, run against every store (keyv style). Time is a movable clock.
import type { StoreOptions } from '../../core/api';
import { InvalidArgumentError } from '../../core/errors';
import { createTriggers } from '../../core/triggers';
import { openTriggerStore } from '../../core/triggers/store';
import type { NormalisedCart, NormalisedOrder, Triggers, TriggersOptions } from '../../core/triggers/types';

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.parse('2026-06-01T10:00:00Z');

export interface ContractOptions {
	/** Fresh, empty store options per call (a new file / a new key prefix). */
	makeStore(): StoreOptions;
}

export function triggerContract(name: string, { makeStore }: ContractOptions): void {
	describe(`triggers on ${name}`, () => {
		let store: StoreOptions;
		let now: number;
		const open: Triggers[] = [];

		async function start(over: Partial<TriggersOptions> = {}): Promise<Triggers> {
			const t = await createTriggers({ store, clock: () => now, ...over });
			open.push(t);
			return t;
		}

		/** Closes every open instance and opens a fresh one on the same store: a process restart. */
		async function restart(over: Partial<TriggersOptions> = {}): Promise<Triggers> {
			await Promise.all(open.splice(0).map((t) => t.close()));
			return start(over);
		}

		beforeEach(() => {
			store = makeStore();
			now = T0;
		});

		afterEach(async () => {
			await Promise.all(open.splice(0).map((t) => t.close()));
		});

		const order = (over: Partial<NormalisedOrder> = {}): NormalisedOrder => ({ orderId: 'o-1', customerId: 'c-1', total: 120, currency: 'EUR', at: now, ...over });
		const cart = (over: Partial<NormalisedCart> = {}): NormalisedCart => ({ cartId: 'k-1', type: 'activity', customerId: 'c-1', value: 80, currency: 'EUR', at: now, ...over });
		const cartOpts = { abandonAfterMinutes: 30 };

		describe('purchase over a threshold', () => {
			const threshold = { amount: 100, currency: 'EUR' };

			it('qualifies at the threshold, not below, and fires once per order however often it is delivered', async () => {
				const t = await start();
				expect(await t.recordOrder(order({ orderId: 'a', total: 100 }), { threshold })).toMatchObject({ duplicate: false, thresholdMet: true });
				expect(await t.recordOrder(order({ orderId: 'b', total: 99.99 }), { threshold })).toMatchObject({ duplicate: false, thresholdMet: false, threshold: { reason: 'BELOW_THRESHOLD' } });
				expect(await t.recordOrder(order({ orderId: 'c', total: 500, currency: 'USD' }), { threshold })).toMatchObject({ thresholdMet: false, threshold: { reason: 'CURRENCY_MISMATCH' } });
				const again = await t.recordOrder(order({ orderId: 'a', total: 100 }), { threshold });
				expect(again).toMatchObject({ duplicate: true, thresholdMet: false, threshold: { qualifies: true } });
			});

			it('remembers delivered orders across a restart', async () => {
				let t = await start();
				expect((await t.recordOrder(order(), { threshold })).thresholdMet).toBe(true);
				t = await restart();
				expect(await t.recordOrder(order(), { threshold })).toMatchObject({ duplicate: true, thresholdMet: false });
			});

			it('checks the order before writing anything', async () => {
				const t = await start();
				await expect(t.recordOrder({ ...order(), currency: '' })).rejects.toThrow(InvalidArgumentError);
				await expect(t.recordOrder(order(), { threshold: { amount: 10, currency: '' } })).rejects.toThrow(/threshold.currency/);
				expect((await t.recordOrder(order())).duplicate).toBe(false);
			});

			it('keeps scopes apart: each trigger configuration sees each order once', async () => {
				const a = await start({ scope: 'wf-a' });
				const b = await start({ scope: 'wf-b' });
				expect((await a.recordOrder(order(), { threshold })).thresholdMet).toBe(true);
				expect((await b.recordOrder(order(), { threshold })).thresholdMet).toBe(true);
				expect((await a.recordOrder(order(), { threshold })).duplicate).toBe(true);
			});
		});

		describe('n-th purchase', () => {
			const milestones = { nth: [3] };

			it('counts per customer, once per order, and reaches the 3rd purchase exactly once', async () => {
				const t = await start();
				const seen: Array<number | null> = [];
				for (const id of ['o1', 'o2', 'o2', 'o3', 'o3', 'o4']) {
					const r = await t.recordOrder(order({ orderId: id }), { milestones });
					seen.push(r.milestoneReached);
					if (id === 'o3') expect(r.purchaseCount).toBe(3);
				}
				expect(seen).toEqual([null, null, null, 3, null, null]);
				expect((await t.recordOrder(order({ orderId: 'x1', customerId: 'c-2' }))).purchaseCount).toBe(1);
			});

			it('counts guests by normalised email, and nothing without one', async () => {
				const t = await start();
				const guest = { customerId: undefined };
				expect((await t.recordOrder(order({ ...guest, orderId: 'g1', email: 'Ann+shop@Example.com' }))).purchaseCount).toBe(1);
				expect((await t.recordOrder(order({ ...guest, orderId: 'g2', email: 'ann@example.com' }))).purchaseCount).toBe(2);
				expect((await t.recordOrder(order({ ...guest, orderId: 'g3' }))).purchaseCount).toBeNull();
			});

			it('keeps counting across a restart, and a redelivered order gets its first number back', async () => {
				let t = await start();
				await t.recordOrder(order({ orderId: 'o1' }));
				await t.recordOrder(order({ orderId: 'o2' }));
				t = await restart();
				expect(await t.recordOrder(order({ orderId: 'o2' }), { milestones })).toMatchObject({ duplicate: true, purchaseCount: 2, milestoneReached: null });
				expect(await t.recordOrder(order({ orderId: 'o3' }), { milestones })).toMatchObject({ duplicate: false, purchaseCount: 3, milestoneReached: 3 });
			});
		});

		describe('cart abandonment', () => {
			it('fires once, with its contents, when the deadline passes without a checkout — not a moment before', async () => {
				const t = await start();
				const armed = await t.trackCart(cart({ items: [{ sku: 'TEE', quantity: 2, price: 40 }], url: 'https://shop/c/k-1', email: 'ann@example.com' }), cartOpts);
				expect(armed).toEqual({ cartId: 'k-1', state: 'open', deadline: T0 + 30 * MIN, stale: false });
				expect(await t.nextDueAt()).toBe(T0 + 30 * MIN);
				now = T0 + 30 * MIN - 1;
				expect(await t.claimDue()).toEqual([]);
				now = T0 + 30 * MIN;
				const fired = await t.claimDue();
				expect(fired).toEqual([
					{
						kind: 'cart',
						id: 'k-1',
						dueAt: T0 + 30 * MIN,
						firedAt: now,
						lateMs: 0,
						cart: {
							cartId: 'k-1',
							customerId: 'c-1',
							email: 'ann@example.com',
							value: 80,
							currency: 'EUR',
							items: [{ sku: 'TEE', quantity: 2, price: 40 }],
							url: 'https://shop/c/k-1',
							lastActivityAt: T0,
						},
					},
				]);
				now += DAY;
				expect(await t.claimDue()).toEqual([]);
				expect(await t.nextDueAt()).toBeNull();
			});

			it('activity pushes the deadline; older or repeated events do not pull it back', async () => {
				const t = await start();
				await t.trackCart(cart(), cartOpts);
				expect((await t.trackCart(cart({ at: T0 + 10 * MIN, value: 95 }), cartOpts)).deadline).toBe(T0 + 40 * MIN);
				expect(await t.trackCart(cart({ at: T0 + 5 * MIN }), cartOpts)).toMatchObject({ stale: true, deadline: T0 + 40 * MIN });
				expect(await t.trackCart(cart({ at: T0 + 10 * MIN, value: 95 }), cartOpts)).toMatchObject({ stale: false, deadline: T0 + 40 * MIN });
				now = T0 + 31 * MIN;
				expect(await t.claimDue()).toEqual([]);
				now = T0 + 40 * MIN;
				const [fired] = await t.claimDue();
				expect(fired.kind === 'cart' && fired.cart.value).toBe(95);
			});

			it('a checkout event or an order for the cart ends it; late activity cannot revive it', async () => {
				const t = await start();
				await t.trackCart(cart({ cartId: 'k-a' }), cartOpts);
				await t.trackCart(cart({ cartId: 'k-b' }), cartOpts);
				expect(await t.trackCart(cart({ cartId: 'k-a', type: 'checkout', at: T0 + MIN }), cartOpts)).toMatchObject({ state: 'closed', deadline: null });
				expect((await t.recordOrder(order({ cartId: 'k-b', at: T0 + MIN }))).cart).toBe('closed');
				// Webhooks arrive out of order: activity from before the checkout changes nothing.
				expect(await t.trackCart(cart({ cartId: 'k-a', at: T0 + MIN }), cartOpts)).toMatchObject({ state: 'closed', stale: true });
				// An order arriving before its cart's activity leaves a tombstone.
				await t.recordOrder(order({ orderId: 'o-9', cartId: 'k-c', at: T0 + 2 * MIN }));
				expect(await t.trackCart(cart({ cartId: 'k-c', at: T0 + MIN }), cartOpts)).toMatchObject({ state: 'closed', stale: true });
				now = T0 + DAY;
				expect(await t.claimDue()).toEqual([]);
			});

			it('a new session after a checkout arms again', async () => {
				const t = await start();
				await t.trackCart(cart({ type: 'checkout' }), cartOpts);
				expect(await t.trackCart(cart({ at: T0 + MIN }), cartOpts)).toMatchObject({ state: 'open', deadline: T0 + 31 * MIN });
			});

			it('an order after the abandonment firing marks the cart recovered; a fired cart never fires again', async () => {
				const t = await start();
				await t.trackCart(cart(), cartOpts);
				now = T0 + 30 * MIN;
				expect(await t.claimDue()).toHaveLength(1);
				expect(await t.trackCart(cart({ at: now }), cartOpts)).toMatchObject({ state: 'fired', deadline: null });
				expect((await t.recordOrder(order({ cartId: 'k-1', at: now }))).cart).toBe('recovered');
				now += DAY;
				expect(await t.claimDue()).toEqual([]);
			});

			it('minimum value: a cheap or empty cart does not arm, and arms once it is worth enough', async () => {
				const t = await start();
				const opts = { abandonAfterMinutes: 30, minValue: 50 };
				expect((await t.trackCart(cart({ value: 49.99 }), opts)).deadline).toBeNull();
				expect((await t.trackCart(cart({ cartId: 'k-0', value: 0 }), { abandonAfterMinutes: 30 })).deadline).toBeNull();
				expect((await t.trackCart(cart({ value: 50, at: T0 + MIN }), opts)).deadline).toBe(T0 + 31 * MIN);
				expect((await t.trackCart(cart({ value: 10, at: T0 + 2 * MIN }), opts)).deadline).toBeNull();
				now = T0 + DAY;
				expect(await t.claimDue()).toEqual([]);
			});

			it('quiet period: one abandonment firing per customer within the quiet days', async () => {
				const t = await start();
				const opts = { abandonAfterMinutes: 30, quietDays: 7 };
				await t.trackCart(cart({ cartId: 'k-1' }), opts);
				await t.trackCart(cart({ cartId: 'k-2', at: T0 + MIN }), opts);
				await t.trackCart(cart({ cartId: 'k-3', customerId: 'c-2' }), opts);
				now = T0 + 40 * MIN;
				expect((await t.claimDue()).map((f) => f.id).sort()).toEqual(['k-1', 'k-3']);
				now = T0 + 6 * DAY;
				await t.trackCart(cart({ cartId: 'k-4', at: now }), opts);
				now += 30 * MIN;
				expect(await t.claimDue()).toEqual([]);
				now = T0 + 8 * DAY;
				await t.trackCart(cart({ cartId: 'k-5', at: now }), opts);
				now += 30 * MIN;
				expect((await t.claimDue()).map((f) => f.id)).toEqual(['k-5']);
			});

			it('survives a restart between arming and firing', async () => {
				let t = await start();
				await t.trackCart(cart(), cartOpts);
				t = await restart();
				now = T0 + 30 * MIN;
				expect((await t.claimDue()).map((f) => f.id)).toEqual(['k-1']);
				t = await restart();
				expect(await t.claimDue()).toEqual([]);
			});

			it('several workers claiming at once each get different carts, every cart exactly once', async () => {
				const workers = await Promise.all([start(), start(), start()]);
				for (let i = 0; i < 60; i++) await workers[0].trackCart(cart({ cartId: `k-${i}`, customerId: `c-${i}`, at: T0 + i }), cartOpts);
				now = T0 + DAY;
				const batches = await Promise.all(workers.flatMap((w) => [w.claimDue({ limit: 7 }), w.claimDue({ limit: 7 }), w.claimDue({ limit: 7 })]));
				const rest = await workers[1].claimDue({ limit: 100 });
				const ids = [...batches.flat(), ...rest].map((f) => f.id);
				expect(ids).toHaveLength(60);
				expect(new Set(ids).size).toBe(60);
			});

			it('claims oldest deadlines first and honours the limit', async () => {
				const t = await start();
				for (const [id, at] of [['late', T0 + 3 * MIN], ['early', T0], ['mid', T0 + MIN]] as const) await t.trackCart(cart({ cartId: id, customerId: id, at }), cartOpts);
				now = T0 + DAY;
				expect((await t.claimDue({ limit: 2 })).map((f) => f.id)).toEqual(['early', 'mid']);
				expect((await t.claimDue({ limit: 2 })).map((f) => f.id)).toEqual(['late']);
			});

			it('maxLateMinutes consumes firings that are too late without returning them', async () => {
				const t = await start();
				await t.trackCart(cart(), cartOpts);
				now = T0 + 30 * MIN + 61 * MIN;
				expect(await t.claimDue({ maxLateMinutes: 60 })).toEqual([]);
				expect(await t.claimDue()).toEqual([]);
			});
		});

		describe('calendar', () => {
			const xmas = { rules: [{ type: 'yearly' as const, date: '--12-24', name: 'Christmas Eve' }], time: '18:00', zone: 'Europe/Berlin', name: 'Xmas', data: { campaignId: 'xmas' } };
			const eve2026 = Date.parse('2026-12-24T17:00:00Z');

			it('fires each occurrence once at its local time and schedules the next', async () => {
				const t = await start();
				expect(await t.defineCalendar('xmas', xmas)).toEqual({ date: '2026-12-24', names: ['Christmas Eve'], fireAt: eve2026 });
				expect(await t.nextDueAt(['calendar'])).toBe(eve2026);
				now = eve2026 - 1;
				expect(await t.claimDue()).toEqual([]);
				now = eve2026 + 5000;
				expect(await t.claimDue()).toEqual([
					{ kind: 'calendar', id: 'xmas', name: 'Xmas', date: '2026-12-24', names: ['Christmas Eve'], data: { campaignId: 'xmas' }, dueAt: eve2026, firedAt: now, lateMs: 5000 },
				]);
				expect(await t.claimDue()).toEqual([]);
				expect(await t.nextDueAt()).toBe(Date.parse('2027-12-24T17:00:00Z'));
			});

			it('defining it again (a host restart) does not fire an occurrence twice, even with a later time', async () => {
				const t = await start();
				await t.defineCalendar('xmas', xmas);
				now = eve2026;
				expect(await t.claimDue()).toHaveLength(1);
				expect((await t.defineCalendar('xmas', xmas))?.date).toBe('2027-12-24');
				expect((await t.defineCalendar('xmas', { ...xmas, time: '20:00' }))?.date).toBe('2027-12-24');
				now = eve2026 + 3 * 3600_000;
				expect(await t.claimDue()).toEqual([]);
			});

			it('a due occurrence missed while the host was down still fires once after the restart', async () => {
				let t = await start();
				await t.defineCalendar('xmas', xmas);
				t = await restart();
				now = eve2026 + 3600_000;
				expect(await t.defineCalendar('xmas', xmas)).toMatchObject({ date: '2026-12-24' });
				expect((await t.claimDue()).map((f) => f.kind === 'calendar' && f.date)).toEqual(['2026-12-24']);
			});

			it('a fixed date ends after firing; removing a calendar stops it', async () => {
				const t = await start();
				await t.defineCalendar('once', { rules: [{ type: 'date', date: '2026-06-02' }], time: '00:00' });
				await t.defineCalendar('gone', { rules: [{ type: 'date', date: '2026-06-02' }], time: '00:00' });
				await t.removeCalendar('gone');
				now = Date.parse('2026-06-03T00:00:00Z');
				expect((await t.claimDue()).map((f) => f.id)).toEqual(['once']);
				expect(await t.nextDueAt()).toBeNull();
				expect(await t.defineCalendar('once', { rules: [{ type: 'date', date: '2026-06-02' }], time: '00:00' })).toBeNull();
			});

			it('public holidays: German national holidays in Berlin time, each once', async () => {
				const t = await start();
				await t.defineCalendar('de', { rules: [{ type: 'holidays', country: 'DE' }], time: '08:00', zone: 'Europe/Berlin' });
				now = Date.parse('2027-01-01T00:00:00Z');
				const fired = (await t.claimDue()).map((f) => (f.kind === 'calendar' ? `${f.date} ${f.names.join('+')}` : ''));
				// Down since June: one late firing for the missed occurrence, then on schedule.
				expect(fired).toEqual(['2026-10-03 National Holiday']);
				expect(await t.nextDueAt()).toBe(Date.parse('2027-01-01T07:00:00Z'));
			});
		});

		describe('birthdays and renewals', () => {
			const profile = { id: 'c-1', email: 'ann@example.com', birthday: '1990-06-15', renewalDate: '2026-09-01', timeZone: 'America/New_York' };
			const bday2026 = Date.parse('2026-06-15T13:00:00Z');

			it('fires on the day at local time in the customer zone, once per year', async () => {
				const t = await start();
				expect(await t.scheduleCustomer(profile)).toEqual({ customerId: 'c-1', birthday: bday2026, renewal: Date.parse('2026-09-01T13:00:00Z') });
				now = bday2026 - 1;
				expect(await t.claimDue()).toEqual([]);
				now = bday2026;
				expect(await t.claimDue()).toEqual([
					{
						kind: 'birthday',
						id: 'c-1',
						year: 2026,
						date: '2026-06-15',
						customer: { id: 'c-1', email: 'ann@example.com', phone: null, timeZone: 'America/New_York' },
						dueAt: bday2026,
						firedAt: bday2026,
						lateMs: 0,
					},
				]);
				// The profile is saved again the same day, even with the birthday moved: not again this year.
				await t.scheduleCustomer(profile);
				const moved = await t.scheduleCustomer({ ...profile, birthday: '1990-06-20' });
				expect(moved.birthday).toBe(Date.parse('2027-06-20T13:00:00Z'));
				now = Date.parse('2026-06-21T00:00:00Z');
				expect(await t.claimDue({ kinds: ['birthday'] })).toEqual([]);
			});

			it('N days before, and only the kinds asked for', async () => {
				const t = await start();
				await t.scheduleCustomer(profile, { birthday: { daysBefore: 3, time: '10:00' }, renewal: { daysBefore: 14 } });
				now = Date.parse('2026-08-20T00:00:00Z');
				expect((await t.claimDue({ kinds: ['renewal'] })).map((f) => `${f.kind} ${f.kind === 'renewal' ? f.date : ''}`)).toEqual(['renewal 2026-09-01']);
				expect((await t.claimDue({ kinds: ['birthday'] })).map((f) => f.dueAt)).toEqual([Date.parse('2026-06-12T14:00:00Z')]);
			});

			it('leap-day birthdays fire on Feb 28 in common years', async () => {
				const t = await start();
				now = Date.parse('2027-01-01T00:00:00Z');
				expect((await t.scheduleCustomer({ id: 'leap', birthday: '2000-02-29', timeZone: 'Europe/Berlin' })).birthday).toBe(Date.parse('2027-02-28T08:00:00Z'));
				now = Date.parse('2027-03-01T00:00:00Z');
				expect((await t.claimDue()).map((f) => f.kind === 'birthday' && f.date)).toEqual(['2027-02-28']);
				expect(await t.nextDueAt()).toBe(Date.parse('2028-02-29T08:00:00Z'));
			});

			it('removing the birthday or the customer unschedules', async () => {
				const t = await start();
				await t.scheduleCustomer(profile);
				expect((await t.scheduleCustomer({ ...profile, birthday: null })).birthday).toBeNull();
				await t.unscheduleCustomer('c-1');
				now = T0 + 400 * DAY;
				expect(await t.claimDue()).toEqual([]);
			});

			it('survives a restart between scheduling and firing', async () => {
				let t = await start();
				await t.scheduleCustomer(profile, { renewal: false });
				t = await restart();
				now = bday2026 + 1;
				expect((await t.claimDue()).map((f) => f.kind)).toEqual(['birthday']);
				t = await restart();
				expect(await t.claimDue()).toEqual([]);
			});

			it('rejects a bad profile, naming the field', async () => {
				const t = await start();
				await expect(t.scheduleCustomer({ id: 'x', birthday: '1990-02-30' })).rejects.toThrow(/birthday/);
				await expect(t.scheduleCustomer({ id: 'x', birthday: '1990-02-03', timeZone: 'Mars/Base' })).rejects.toThrow(/timeZone/);
				await expect(t.scheduleCustomer({ id: '' })).rejects.toThrow(/id/);
			});
		});

		describe('webhook deliveries', () => {
			const key = 'a'.repeat(64);

			it('claims a delivery once until it expires, across a restart', async () => {
				let t = await start();
				expect(await t.claimDelivery(key, 600_000)).toBe(true);
				expect(await t.claimDelivery(key, 600_000)).toBe(false);
				t = await restart();
				expect(await t.claimDelivery(key, 600_000)).toBe(false);
				now += 600_000;
				expect(await t.claimDelivery(key, 600_000)).toBe(true);
				expect(await t.claimDelivery(key, 600_000)).toBe(false);
			});

			it('forgets a released delivery, and keeps scopes apart', async () => {
				const a = await start({ scope: 'wf-a' });
				const b = await start({ scope: 'wf-b' });
				expect(await a.claimDelivery(key, 60_000)).toBe(true);
				expect(await b.claimDelivery(key, 60_000)).toBe(true);
				await a.releaseDelivery(key);
				expect(await a.claimDelivery(key, 60_000)).toBe(true);
				expect(await b.claimDelivery(key, 60_000)).toBe(false);
			});

			it('checks the key and the time to live', async () => {
				const t = await start();
				await expect(t.claimDelivery('', 1000)).rejects.toThrow(/^key:/);
				await expect(t.claimDelivery('x'.repeat(201), 1000)).rejects.toThrow(/^key:/);
				await expect(t.claimDelivery(key, 0)).rejects.toThrow(/^ttlMs:/);
				await expect(t.claimDelivery(key, 1.5)).rejects.toThrow(/^ttlMs:/);
				expect(await t.claimDelivery(key, 1000)).toBe(true);
			});
		});

		describe('claims whose worker died', () => {
			it('a recurring firing claimed by a worker that died is rescheduled after the lease, never fired again', async () => {
				const t = await start({ leaseSeconds: 60 });
				await t.scheduleCustomer({ id: 'c-9', birthday: '--06-02', timeZone: 'UTC' });
				// A worker claims directly from the store and dies before writing the next occurrence.
				const raw = await openTriggerStore(store);
				now = Date.parse('2026-06-02T09:00:00Z');
				const claimed = await raw.claimDue({ scope: 'default', kinds: ['birthday'], now, limit: 10, leaseMs: 60_000, workerId: 'dying', retentionMs: DAY });
				await raw.close();
				expect(claimed.map((c) => [c.key, c.fire])).toEqual([['c-9', true]]);
				expect(await t.claimDue()).toEqual([]);
				now += 60_000;
				expect(await t.claimDue()).toEqual([]);
				expect(await t.nextDueAt()).toBe(Date.parse('2027-06-02T09:00:00Z'));
			});
		});
	});
}
