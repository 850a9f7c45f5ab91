// Brute force and bad input against a live campaign: nothing guessed, nothing written by bad input.
import fc from 'fast-check';
import type { CouponEngine, EngineOptions } from '../../core';
import { CouponKitError, InvalidArgumentError, NotFoundError } from '../../core';

export interface AttackHarness {
	open(options: Omit<EngineOptions, 'store'>): Promise<CouponEngine>;
}

async function ledgerSize(engine: CouponEngine): Promise<number> {
	let n = 0;
	let after: string | undefined;
	for (;;) {
		const page = await engine.events({ after, limit: 1000 });
		if (page.events.length === 0) return n;
		n += page.events.length;
		after = page.cursor;
	}
}

const junk = fc.oneof(
	fc.constant(undefined),
	fc.constant(null),
	fc.constant(''),
	fc.integer(),
	fc.double(),
	fc.boolean(),
	fc.string({ maxLength: 300 }),
	fc.array(fc.anything(), { maxLength: 3 }),
	fc.dictionary(fc.string({ maxLength: 5 }), fc.anything(), { maxKeys: 3 }),
);

export function attackSuite(name: string, harness: AttackHarness): void {
	describe(`attacks on ${name}`, () => {
		let engine: CouponEngine;
		let t: number;

		beforeEach(async () => {
			t = Date.parse('2027-05-01T10:00:00Z');
			engine = await harness.open({ clock: () => t, abuse: { threshold: 10, windowSeconds: 900, cooldownSeconds: 900 } });
			await engine.createCampaign({
				id: 'live',
				code: { pattern: 'LIVE-######', checkCharacter: true },
				discount: { type: 'percent', value: 20 },
				limits: { issuance: 800 },
			});
		});

		afterEach(async () => {
			await engine.close();
		});

		it('blocks 10,000 random guesses from one source after the threshold with zero hits; a real customer elsewhere is unaffected', async () => {
			const real: string[] = [];
			for await (const batch of engine.generate({ campaignId: 'live', count: 500 })) real.push(...batch);
			const alphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
			let hits = 0;
			const reasons = new Map<string, number>();
			for (let i = 0; i < 10_000; i++) {
				let guess = 'LIVE-';
				for (let j = 0; j < 7; j++) guess += alphabet[Math.floor(Math.random() * alphabet.length)];
				const v = await engine.validate({ code: guess, source: '198.51.100.7' });
				if (v.valid) hits++;
				else reasons.set(v.reason, (reasons.get(v.reason) ?? 0) + 1);
				t += 50;
			}
			expect(hits).toBe(0);
			// 10 failures block the source for 15 minutes; 10,000 guesses 50 ms apart span 500 s.
			expect(reasons.get('BLOCKED')).toBe(10_000 - 10);
			// Even a real code is refused to the blocked source …
			expect(await engine.validate({ code: real[0], source: '198.51.100.7' })).toMatchObject({ reason: 'BLOCKED' });
			// … while a real customer from another source redeems it.
			expect((await engine.redeem({ code: real[0], customerId: 'ann', source: '203.0.113.5' })).ok).toBe(true);
			let blocked = 0;
			let after: string | undefined;
			for (;;) {
				const page = await engine.events({ after, limit: 1000, types: ['blocked'] });
				if (page.events.length === 0) break;
				blocked += page.events.length;
				after = page.cursor;
				for (const e of page.events) expect(e.data.key).toBe('source:198.51.100.7');
			}
			expect(blocked).toBe(1);
		});

		it('answers any malformed call with a typed error naming a field, and writes nothing', async () => {
			const issued = await engine.issue({ campaignId: 'live' });
			if (!issued.ok) throw new Error(issued.reason);
			const before = await ledgerSize(engine);
			const calls: Array<[string, (x: Record<string, unknown>) => Promise<unknown>]> = [
				['issue', (x) => engine.issue(x as never)],
				['validate', (x) => engine.validate(x as never)],
				['redeem', (x) => engine.redeem(x as never)],
				['reserve', (x) => engine.reserve(x as never)],
				['commit', (x) => engine.commit(x as never)],
				['release', (x) => engine.release(x as never)],
				['rollback', (x) => engine.rollback(x as never)],
				['void', (x) => engine.void(x as never)],
				['markDelivered', (x) => engine.markDelivered(x as never)],
				['upsertCustomer', (x) => engine.upsertCustomer(x as never)],
				['createCampaign', (x) => engine.createCampaign(x as never)],
				['stats', (x) => engine.stats(x as never)],
				['events', (x) => engine.events(x as never)],
			];
			const fields = fc.record(
				{
					campaignId: junk,
					code: junk,
					customerId: junk,
					email: junk,
					orderAmount: junk,
					currency: junk,
					channel: junk,
					ttlSeconds: junk,
					reservationId: junk,
					redemptionId: junk,
					idempotencyKey: junk,
					metadata: junk,
					id: junk,
					discount: junk,
					limits: junk,
					birthday: junk,
					from: junk,
					groupBy: junk,
					limit: junk,
					after: junk,
				},
				{ requiredKeys: [] },
			);
			// Each call gets one deliberately broken field among otherwise valid arguments.
			const broken = fc.tuple(fc.constantFrom(...calls.map((c) => c[0])), fields, fc.constantFrom('email', 'orderAmount', 'currency', 'ttlSeconds', 'metadata', 'birthday', 'limit', 'groupBy'));
			await fc.assert(
				fc.asyncProperty(broken, async ([op, extra, breakField]) => {
					const call = calls.find((c) => c[0] === op)![1];
					const badValue = { email: 'no-at-sign', orderAmount: -5, currency: 'EURO', ttlSeconds: 0, metadata: 'x', birthday: '1990-13-01', limit: 0, groupBy: 'week' }[breakField];
					const args: Record<string, unknown> = { ...extra, [breakField]: badValue };
					const before = await ledgerSize(engine);
					const err = await call(args).then(
						() => null,
						(e: unknown) => e,
					);
					// Either a typed error naming a field (and nothing written), or — when the broken field is not one
					// this call reads and the junk happened to be valid — an ordinary answer; never an untyped crash.
					if (err !== null) {
						expect(err).toBeInstanceOf(CouponKitError);
						if (err instanceof InvalidArgumentError) expect(err.field.length).toBeGreaterThan(0);
						else expect(err).toBeInstanceOf(NotFoundError);
						expect(await ledgerSize(engine)).toBe(before);
					}
				}),
				{ numRuns: 300 },
			);
			// And one surely-broken call per operation: each throws and the ledger does not grow.
			const surelyBroken: Record<string, Record<string, unknown>> = {
				issue: { campaignId: 'live', email: 'broken' },
				validate: { code: issued.code, orderAmount: -1 },
				redeem: { code: issued.code, currency: 'EURO' },
				reserve: { code: issued.code, ttlSeconds: 0 },
				commit: { reservationId: 'x' },
				release: { reservationId: 'x' },
				rollback: { redemptionId: 'x' },
				void: { code: issued.code, reason: { not: 'text' } },
				markDelivered: { code: issued.code, channel: '' },
				upsertCustomer: { id: 'x', email: 'broken' },
				createCampaign: { id: 'x', discount: 'bad' },
				stats: { groupBy: 'week' },
				events: { limit: 0 },
			};
			const mid = await ledgerSize(engine);
			for (const [op, call] of calls) {
				const err = await call(surelyBroken[op]).then(
					() => null,
					(e: unknown) => e,
				);
				expect([op, err]).toEqual([op, expect.any(InvalidArgumentError)]);
			}
			expect(await ledgerSize(engine)).toBe(mid);
			expect(mid).toBeGreaterThanOrEqual(before);
		});
	});
}
