// SQLite store: what only the embedded store has — writes that arrive together are committed together.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, type SqliteStore } from '../../core/store/sqlite';
import type { EventDraft, RedeemOutcome } from '../../core/store/types';
import { campaign, limitsOf, plainCode, T0 } from './fixtures';

const draft = (id: string): EventDraft => ({
	id, at: new Date(T0).toISOString(), campaignId: 'group', code: null, customerId: null, channel: null, amount: null, data: {},
});

describe('SQLite store', () => {
	let dir: string;
	let store: SqliteStore;
	beforeEach(async () => {
		dir = mkdtempSync(join(tmpdir(), 'ck-sqlite-store-'));
		store = await openSqliteStore({ type: 'sqlite', path: join(dir, 'store.db') });
	});
	afterEach(async () => {
		await store.close();
		rmSync(dir, { recursive: true, force: true });
	});

	it('commits the redeems of one tick together, each seeing the counters as the ones before it left them', async () => {
		const v1 = campaign('group', 1, { total: 3 });
		await store.putCampaign(v1, null, { ...draft('created'), type: 'campaign_created', count: 1, reason: null });
		const keys = ['AAAA', 'BBBB', 'CCCC', 'DDDD', 'EEEE', 'FFFF'];
		await store.insertGenerated({
			limits: limitsOf(v1),
			codes: keys.map((key) => plainCode(v1, key)),
			now: T0,
			event: draft('generated'),
		});
		const redeem = (n: number, event = draft(`redeem-${n}`), limits = limitsOf(v1)): Promise<RedeemOutcome | Error> =>
			store
				.redeem({
					limits, codeKey: keys[n], customerKeys: [`id:c${n}`], customerId: `c${n}`, email: null, orderId: null,
					unitId: `group~u${n}`, now: T0, event,
				})
				.catch((err: unknown) => err as Error);
		// An event without an id fails after the redeem has counted itself: its savepoint undoes the count.
		const broken = { ...draft('broken'), id: null as unknown as string };
		const answers = await Promise.all([
			redeem(0),
			redeem(1, broken),
			redeem(2),
			redeem(3),
			redeem(4),
			// a new version of the campaign, committed in the same transaction: the redeem after it made with
			// version 1 is stale
			store.putCampaign(campaign('group', 2, { total: 3 }), 1, { ...draft('updated'), type: 'campaign_updated', count: 1, reason: null }),
			redeem(5),
		]);
		const statuses = answers.map((a) => (a instanceof Error ? 'error' : typeof a === 'string' ? a : (a.status === 'rejected' ? a.reason : a.status)));
		expect(statuses).toEqual(['redeemed', 'error', 'redeemed', 'redeemed', 'CAMPAIGN_LIMIT_REACHED', 'ok', 'stale']);
		const audit = await store.audit(v1.id);
		expect(audit).toMatchObject({ redeemedCounter: 3, codeRedemptions: 3, standingRedemptions: 3, ledgerRedeemed: 3 });
	});
});
