// Several OS processes redeem against one store at once: successes must equal what the limits allow.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { StoreOptions, CampaignDefinition, RedeemInput } from '../../core';
import { openEngine } from '../../core';

const WORKER = join(__dirname, 'fixtures', 'redeemWorker.js');
const PROCESSES = 2;
const IN_FLIGHT = 50;

interface WorkerResult {
	ok: number;
	reasons: Record<string, number>;
}

function runWorker(store: StoreOptions, calls: RedeemInput[], startAt: number): Promise<WorkerResult> {
	return new Promise((resolve, reject) => {
		execFile(process.execPath, [WORKER, JSON.stringify({ store, calls, startAt })], { timeout: 60_000 }, (err, stdout, stderr) => {
			if (err) reject(new Error(`worker failed: ${stderr || err.message}`));
			else resolve(JSON.parse(stdout) as WorkerResult);
		});
	});
}

async function scenario(
	store: StoreOptions,
	def: CampaignDefinition,
	codeCount: number,
	callsFor: (codes: string[], worker: number) => RedeemInput[],
) {
	const engine = await openEngine({ store });
	try {
		await engine.createCampaign(def);
		const codes: string[] = [];
		for await (const batch of engine.generate({ campaignId: def.id, count: codeCount })) codes.push(...batch);
		const startAt = Date.now() + 2000;
		const results = await Promise.all(
			Array.from({ length: PROCESSES }, (_, w) => runWorker(store, callsFor(codes, w), startAt)),
		);
		const successes = results.reduce((n, r) => n + r.ok, 0);
		const errors = results.flatMap((r) => Object.keys(r.reasons).filter((k) => k.startsWith('ERROR')));
		let redeemedEvents = 0;
		let after: string | undefined;
		for (;;) {
			const page = await engine.events({ after, limit: 1000, campaignId: def.id, types: ['redeemed'] });
			if (page.events.length === 0) break;
			redeemedEvents += page.events.length;
			after = page.cursor;
		}
		const stats = await engine.stats({ campaignId: def.id });
		const audit = await engine.audit(def.id);
		expect(audit.problems).toEqual([]);
		const perCode = await Promise.all(codes.map(async (c) => (await engine.getCode(c))?.redemptions ?? 0));
		return { successes, errors, redeemedEvents, statsRedeemed: stats.redeemed, perCode, results };
	} finally {
		await engine.close();
	}
}

export function concurrencySuite(name: string, makeStore: () => StoreOptions): void {
	describe(`${PROCESSES} processes × ${IN_FLIGHT} concurrent redeems on ${name}`, () => {
		const pattern = { pattern: 'CC-##########' };

		it('never lets a code be used more often than its limit', async () => {
			const r = await scenario(
				makeStore(),
				{ id: 'percode', code: pattern, discount: { type: 'percent', value: 5 }, limits: { perCode: 3 } },
				10,
				(codes) => Array.from({ length: IN_FLIGHT }, (_, i) => ({ code: codes[i % 10] })),
			);
			expect(r.errors).toEqual([]);
			expect(r.successes).toBe(30);
			expect(r.perCode).toEqual(new Array(10).fill(3));
			expect(r.redeemedEvents).toBe(30);
			expect(r.statsRedeemed).toBe(30);
		});

		it('never lets a customer exceed the per-customer limit', async () => {
			const r = await scenario(
				makeStore(),
				{ id: 'percustomer', code: pattern, discount: { type: 'percent', value: 5 }, limits: { perCustomer: 2 } },
				PROCESSES * IN_FLIGHT,
				(codes, w) =>
					Array.from({ length: IN_FLIGHT }, (_, i) => ({
						code: codes[w * IN_FLIGHT + i],
						// Two spellings of each customer's email: the limit holds across them.
						email: i % 2 === 0 ? `cust${i % 5}@shop.test` : `Cust${i % 5}+w${w}@Shop.test`,
					})),
			);
			expect(r.errors).toEqual([]);
			expect(r.successes).toBe(10);
			expect(r.redeemedEvents).toBe(10);
			expect(r.statsRedeemed).toBe(10);
		});

		it('stops the whole campaign exactly at its total', async () => {
			const r = await scenario(
				makeStore(),
				{ id: 'total', code: pattern, discount: { type: 'percent', value: 5 }, limits: { total: 37 } },
				PROCESSES * IN_FLIGHT,
				(codes, w) => Array.from({ length: IN_FLIGHT }, (_, i) => ({ code: codes[w * IN_FLIGHT + i], customerId: `c${w}-${i}` })),
			);
			expect(r.errors).toEqual([]);
			expect(r.successes).toBe(37);
			expect(r.results.reduce((n, x) => n + (x.reasons.CAMPAIGN_LIMIT_REACHED ?? 0), 0)).toBe(PROCESSES * IN_FLIGHT - 37);
			expect(r.redeemedEvents).toBe(37);
			expect(r.statsRedeemed).toBe(37);
		});
	});
}
