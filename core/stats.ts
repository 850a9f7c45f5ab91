// Analytics from hourly ledger rows: the same arithmetic whatever the store.
import { DateTime } from 'luxon';
import type { StatRow } from './store/types';
import type { LedgerEventType, Stats, StatsCounts, StatsGroupBy } from './types';

type Counter = Exclude<keyof StatsCounts, 'redemptionRate' | 'revenue'>;

const COUNTER_OF: Partial<Record<LedgerEventType, Counter>> = {
	generated: 'generated',
	issued: 'issued',
	delivered: 'delivered',
	reserved: 'reserved',
	released: 'released',
	redeemed: 'redeemed',
	rolled_back: 'rolledBack',
	voided: 'voided',
	expired: 'expired',
	rejected: 'rejected',
	blocked: 'blocked',
};

function empty(): StatsCounts {
	return {
		generated: 0, issued: 0, delivered: 0, reserved: 0, released: 0, redeemed: 0,
		rolledBack: 0, voided: 0, expired: 0, rejected: 0, blocked: 0, redemptionRate: 0, revenue: 0,
	};
}

function add(into: StatsCounts, row: StatRow): void {
	const counter = COUNTER_OF[row.type];
	if (!counter) return;
	into[counter] += row.count;
	if (row.type === 'redeemed' || row.type === 'rolled_back') into.revenue += row.amount;
}

function finish(c: StatsCounts): StatsCounts {
	const handedOut = c.issued + c.generated;
	c.redemptionRate = handedOut === 0 ? 0 : (c.redeemed - c.rolledBack) / handedOut;
	c.revenue = Math.round(c.revenue * 100) / 100;
	return c;
}

export function aggregateStats(rows: StatRow[], groupBy: StatsGroupBy | undefined, zone: string): Stats {
	const total = empty();
	const groups = new Map<string, StatsCounts>();
	for (const row of rows) {
		add(total, row);
		// Campaign changes and the like count nowhere: they make no group of zeros either.
		if (!groupBy || !COUNTER_OF[row.type]) continue;
		const key =
			groupBy === 'day'
				? (DateTime.fromMillis(row.hour, { zone }).toISODate() ?? '')
				: groupBy === 'channel'
					? (row.channel ?? '(none)')
					: (row.campaignId ?? '(none)');
		let g = groups.get(key);
		if (!g) groups.set(key, (g = empty()));
		add(g, row);
	}
	const stats: Stats = finish(total);
	if (groupBy) {
		stats.groups = [...groups.entries()]
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
			.map(([key, counts]) => ({ key, ...finish(counts) }));
	}
	return stats;
}
