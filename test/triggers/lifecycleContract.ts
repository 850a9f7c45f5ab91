// Lifecycle delivery behind a durable cursor, on the real engine; one suite for every store.
import type { CouponEngine, StoreOptions } from '../../core/api';
import { openEngine } from '../../core/index';
import { createTriggers } from '../../core/triggers';
import type { LifecycleEvent, LifecycleOptions, Triggers } from '../../core/triggers/types';

const DAY = 86_400_000;
const T0 = Date.parse('2026-06-01T10:00:00Z');

export function lifecycleContract(name: string, makeStore: () => StoreOptions): void {
	describe(`lifecycle events on ${name}`, () => {
		let store: StoreOptions;
		let now: number;
		let engine: CouponEngine;
		let triggers: Triggers;

		const open = () => createTriggers({ store, clock: () => now, engine });
		async function restart(): Promise<void> {
			await triggers.close();
			triggers = await open();
		}

		beforeEach(async () => {
			store = makeStore();
			now = T0;
			engine = await openEngine({ store, clock: () => now });
			triggers = await open();
			await engine.createCampaign({ id: 'spring', discount: { type: 'percent', value: 10 }, validity: { lifetimeDays: 10 }, limits: { perCode: 1, total: 2 } });
		});

		afterEach(async () => {
			await triggers.close();
			await engine.close();
		});

		async function poll(options: Partial<LifecycleOptions> = {}): Promise<LifecycleEvent[]> {
			const got: LifecycleEvent[] = [];
			const r = await triggers.lifecycle(
				{ cursorName: 'node-1', types: ['issued', 'redeemed', 'rolled_back', 'limit_reached'], startAt: 'beginning', ...options },
				(events) => {
					got.push(...events);
				},
			);
			expect(r.busy).toBe(false);
			expect(r.committed).toBe(true);
			expect(r.delivered).toBe(got.length);
			return got;
		}

		async function issue(customerId: string): Promise<string> {
			const r = await engine.issue({ campaignId: 'spring', customerId });
			if (!r.ok) throw new Error(r.reason);
			return r.code;
		}

		it('delivers issued, redeemed, rolled back and limit reached in ledger order, each once, across a restart', async () => {
			const a = await issue('c-a');
			const b = await issue('c-b');
			const c = await issue('c-c');
			const ra = await engine.redeem({ code: a, customerId: 'c-a', orderAmount: 50 });
			if (!ra.ok) throw new Error(ra.reason);
			await engine.redeem({ code: b, customerId: 'c-b', orderAmount: 60 });
			const rejected = await engine.redeem({ code: c, customerId: 'c-c', orderAmount: 70 });
			expect(rejected).toMatchObject({ ok: false, reason: 'CAMPAIGN_LIMIT_REACHED' });
			await engine.validate({ code: 'NOPE-NOPE', customerId: 'c-x' });

			const first = await poll();
			expect(first.map((e) => `${e.type} ${e.code}`)).toEqual([
				`issued ${a}`,
				`issued ${b}`,
				`issued ${c}`,
				`redeemed ${a}`,
				`redeemed ${b}`,
				`limit_reached ${c}`,
			]);
			expect(first[5]).toMatchObject({ reason: 'CAMPAIGN_LIMIT_REACHED', campaignId: 'spring', customerId: 'c-c' });
			expect(first[0].expiresAt).toBe(new Date(T0 + 10 * DAY).toISOString());
			expect(await poll()).toEqual([]);

			await restart();
			expect(await poll()).toEqual([]);
			await engine.rollback({ redemptionId: ra.redemptionId });
			const after = await poll();
			expect(after.map((e) => `${e.type} ${e.code}`)).toEqual([`rolled_back ${a}`]);
			expect(after[0].amount).toBe(-50);
		});

		it('a failed delivery moves nothing: the same events come again', async () => {
			await issue('c-a');
			await issue('c-b');
			await expect(
				triggers.lifecycle({ cursorName: 'node-1', types: ['issued'], startAt: 'beginning' }, () => {
					throw new Error('the workflow failed');
				}),
			).rejects.toThrow('the workflow failed');
			expect((await poll({ types: ['issued'] })).map((e) => e.customerId)).toEqual(['c-a', 'c-b']);
		});

		it('pages by the limit without skipping or repeating', async () => {
			for (let i = 0; i < 5; i++) await issue(`c-${i}`);
			const pages: string[][] = [];
			for (let i = 0; i < 4; i++) pages.push((await poll({ types: ['issued'], limit: 2 })).map((e) => e.customerId ?? ''));
			expect(pages).toEqual([['c-0', 'c-1'], ['c-2', 'c-3'], ['c-4'], []]);
		});

		it('a new cursor starts now unless asked for the beginning; cursors are independent', async () => {
			await issue('before');
			now += 1000;
			expect(await poll({ cursorName: 'fresh', startAt: 'now' })).toEqual([]);
			now += 1000;
			await issue('after');
			expect((await poll({ cursorName: 'fresh', startAt: 'now' })).map((e) => e.customerId)).toEqual(['after']);
			expect((await poll({ cursorName: 'old' })).map((e) => e.customerId)).toEqual(['before', 'after']);
		});

		it('announces codes expiring within N days once, unless used up meanwhile', async () => {
			const keep = await issue('c-keep');
			const used = await issue('c-used');
			const opts: Partial<LifecycleOptions> = { types: ['expiring'], expiringWithinDays: 3 };
			expect(await poll(opts)).toEqual([]);
			await engine.redeem({ code: used, customerId: 'c-used' });
			now = T0 + 7 * DAY - 1;
			expect(await poll(opts)).toEqual([]);
			now = T0 + 7 * DAY;
			await restart();
			const notices = await poll(opts);
			expect(notices).toEqual([
				expect.objectContaining({ type: 'expiring', id: `expiring:${keep}`, code: keep, customerId: 'c-keep', expiresAt: new Date(T0 + 10 * DAY).toISOString(), event: null }),
			]);
			now += DAY;
			expect(await poll(opts)).toEqual([]);
		});

		it('one cursor, two pollers at once: one delivers, the other is told the cursor is busy', async () => {
			await issue('c-a');
			const other = await open();
			let release: () => void = () => undefined;
			let entered: () => void = () => undefined;
			const gate = new Promise<void>((r) => (release = r));
			const delivering = new Promise<void>((r) => (entered = r));
			const slow = triggers.lifecycle({ cursorName: 'shared', types: ['issued'], startAt: 'beginning' }, () => {
				entered();
				return gate;
			});
			await delivering;
			const second = await other.lifecycle({ cursorName: 'shared', types: ['issued'], startAt: 'beginning' }, () => {
				throw new Error('must not deliver');
			});
			release();
			expect(second).toEqual({ delivered: 0, busy: true, committed: false });
			expect(await slow).toEqual({ delivered: 1, busy: false, committed: true });
			await other.close();
		});

		it('needs the engine', async () => {
			const bare = await createTriggers({ store, clock: () => now });
			await expect(bare.lifecycle({ cursorName: 'x', types: ['issued'] }, () => undefined)).rejects.toThrow(/engine/);
			await expect(triggers.lifecycle({ cursorName: 'x', types: ['opened' as 'issued'] }, () => undefined)).rejects.toThrow(/types\[0\]/);
			await bare.close();
		});
	});
}
