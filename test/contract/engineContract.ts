// One behavioural suite for the engine, run unchanged against every store (see sqlite.test.ts, redis.test.ts).
// No sleeps: time moves through the injected clock.
import type { CouponEngine, EngineOptions } from '../../core';
import { IdempotencyConflictError, InvalidArgumentError, ConflictError, NotFoundError, DEFAULT_CHARSET, generateCodes } from '../../core';
import type { CampaignDefinition, LedgerEvent } from '../../core';

export interface ContractHarness {
	/** Opens an engine on a fresh store (a new file / key prefix) each time `fresh` is true, else the last one again. */
	open(options: Omit<EngineOptions, 'store'>, fresh: boolean): Promise<CouponEngine>;
}

export class Clock {
	t: number;
	constructor(iso: string) {
		this.t = Date.parse(iso);
	}
	now = (): number => this.t;
	advance(ms: number): void {
		this.t += ms;
	}
	set(iso: string): void {
		this.t = Date.parse(iso);
	}
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Replaces one character of the random part with another symbol of the charset. */
function typo(code: string, at: number): string {
	const chars = code.split('');
	const i = chars.length - 1 - at;
	const idx = DEFAULT_CHARSET.indexOf(chars[i]);
	chars[i] = DEFAULT_CHARSET[(idx + 1) % DEFAULT_CHARSET.length];
	return chars.join('');
}

async function allEvents(engine: CouponEngine, campaignId?: string): Promise<LedgerEvent[]> {
	const out: LedgerEvent[] = [];
	let after: string | undefined;
	for (;;) {
		const page = await engine.events({ after, limit: 1000, campaignId });
		out.push(...page.events);
		if (page.events.length === 0) return out;
		after = page.cursor;
	}
}

export function engineContract(name: string, harness: ContractHarness): void {
	describe(`engine contract on ${name}`, () => {
		let clock: Clock;
		let engine: CouponEngine;

		const campaign = (over: Partial<CampaignDefinition> = {}): CampaignDefinition => ({
			id: 'spring',
			name: 'Spring sale',
			code: { pattern: 'SPRING-####-####', checkCharacter: true },
			discount: { type: 'percent', value: 15 },
			...over,
		});

		/** One code of a campaign made by a second engine on the same store: this engine has not seen the campaign. */
		const issuedByAnotherEngine = async (definition: CampaignDefinition): Promise<string> => {
			const other = await harness.open({ clock: clock.now }, false);
			try {
				await other.createCampaign(definition);
				const r = await other.issue({ campaignId: definition.id });
				if (!r.ok) throw new Error(r.reason);
				return r.code;
			} finally {
				await other.close();
			}
		};

		beforeEach(async () => {
			clock = new Clock('2027-03-10T12:00:00Z');
			engine = await harness.open({ clock: clock.now, abuse: { threshold: 5, windowSeconds: 600, cooldownSeconds: 900 } }, true);
		});

		afterEach(async () => {
			await engine.close();
		});

		describe('campaigns', () => {
			it('creates, reads, lists and updates with a growing version', async () => {
				const created = await engine.createCampaign(campaign({ limits: { perCode: 2 } }));
				expect(created.version).toBe(1);
				expect(created.limits.perCode).toBe(2);
				const updated = await engine.updateCampaign('spring', { limits: { total: 5 }, name: 'Spring!' });
				expect(updated.version).toBe(2);
				expect(updated.limits).toEqual({ perCode: 2, perCustomer: null, total: 5, issuance: null });
				expect(updated.name).toBe('Spring!');
				expect((await engine.getCampaign('spring'))?.version).toBe(2);
				expect((await engine.listCampaigns()).map((c) => c.id)).toEqual(['spring']);
			});

			it('refuses a second campaign with the same id, and an unknown one on update', async () => {
				await engine.createCampaign(campaign());
				await expect(engine.createCampaign(campaign())).rejects.toBeInstanceOf(ConflictError);
				await expect(engine.updateCampaign('nope', { name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
			});

			it('rejects a bad definition naming the field, and writes nothing', async () => {
				const bad: Array<[Partial<CampaignDefinition>, string]> = [
					[{ discount: { type: 'percent', value: 150 } }, 'discount.value'],
					[{ discount: { type: 'fixed', amount: 5 } as never }, 'discount.currency'],
					[{ validity: { zone: 'Mars/Base' } }, 'validity.zone'],
					[{ validity: { start: '2027-04-01', end: '2027-03-01' } }, 'validity.end'],
					[{ limits: { perCode: 0 } }, 'limits.perCode'],
					[{ code: { pattern: 'AB-######' }, limits: { issuance: 1000 } }, 'limits.issuance'],
					[{ id: 'has space' }, 'id'],
				];
				for (const [over, field] of bad) {
					const err = await engine.createCampaign(campaign(over)).catch((e: unknown) => e);
					expect(err).toBeInstanceOf(InvalidArgumentError);
					expect((err as InvalidArgumentError).field).toBe(field);
				}
				expect(await engine.listCampaigns()).toEqual([]);
				expect((await engine.events()).events).toEqual([]);
			});

			it('refuses a code pattern whose issued codes would make a guess likely', async () => {
				// 31^4 ≈ 923k codes: at 1 in 10^6 not even one code may be issued.
				const err = await engine.createCampaign(campaign({ code: { pattern: 'X-####' } })).catch((e: unknown) => e);
				expect((err as InvalidArgumentError).field).toBe('code');
				const ok = await engine.createCampaign(campaign({ code: { pattern: 'X-####' }, maxGuessProbability: 0.01 }));
				expect(ok.capacity.maxIssued).toBe(Math.floor(31 ** 4 * 0.01));
			});

			it('cannot change the code format after creation', async () => {
				await engine.createCampaign(campaign());
				const err = await engine.updateCampaign('spring', { code: { pattern: 'OTHER-########' } }).catch((e: unknown) => e);
				expect((err as InvalidArgumentError).field).toBe('code');
			});
		});

		describe('issue', () => {
			it('issues codes of the pattern with a check character, unique', async () => {
				await engine.createCampaign(campaign());
				const seen = new Set<string>();
				for (let i = 0; i < 50; i++) {
					const r = await engine.issue({ campaignId: 'spring', channel: 'email' });
					if (!r.ok) throw new Error(r.reason);
					expect(r.code).toMatch(/^SPRING-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}[2-9A-HJKMNP-Z]$/);
					seen.add(r.code);
				}
				expect(seen.size).toBe(50);
				expect((await engine.stats({ campaignId: 'spring' })).issued).toBe(50);
			});

			it('is idempotent by key, and refuses the key with other arguments', async () => {
				await engine.createCampaign(campaign());
				const a = await engine.issue({ campaignId: 'spring', customerId: 'c1', idempotencyKey: 'k1' });
				const b = await engine.issue({ campaignId: 'spring', customerId: 'c1', idempotencyKey: 'k1' });
				expect(b).toEqual(a);
				await expect(engine.issue({ campaignId: 'spring', customerId: 'c2', idempotencyKey: 'k1' })).rejects.toBeInstanceOf(
					IdempotencyConflictError,
				);
				const events = await allEvents(engine, 'spring');
				expect(events.filter((e) => e.type === 'issued')).toHaveLength(1);
			});

			it('stops at the issuance budget', async () => {
				await engine.createCampaign(campaign({ limits: { issuance: 3 } }));
				for (let i = 0; i < 3; i++) expect((await engine.issue({ campaignId: 'spring' })).ok).toBe(true);
				const r = await engine.issue({ campaignId: 'spring' });
				expect(r).toMatchObject({ ok: false, reason: 'ISSUANCE_LIMIT_REACHED' });
				const s = await engine.stats({ campaignId: 'spring' });
				expect(s.issued).toBe(3);
				expect(s.rejected).toBe(1);
			});

			it('gives each code its lifetime in calendar days of the campaign zone, across a DST change', async () => {
				await engine.createCampaign(campaign({ validity: { zone: 'Europe/Berlin', lifetimeDays: 1 } }));
				clock.set('2027-03-27T11:00:00Z'); // 12:00 in Berlin, the day before clocks go forward
				const r = await engine.issue({ campaignId: 'spring' });
				if (!r.ok) throw new Error(r.reason);
				expect(r.expiresAt).toBe('2027-03-28T10:00:00.000Z'); // 12:00 CEST: only 23 hours later
			});

			it('caps the lifetime at the campaign end', async () => {
				await engine.createCampaign(
					campaign({ validity: { zone: 'America/New_York', end: '2027-03-12T00:00', lifetimeDays: 30 } }),
				);
				const r = await engine.issue({ campaignId: 'spring' });
				if (!r.ok) throw new Error(r.reason);
				expect(r.expiresAt).toBe('2027-03-12T05:00:00.000Z');
			});

			it('rejects arguments naming the field, and writes nothing', async () => {
				await engine.createCampaign(campaign());
				const before = (await allEvents(engine)).length;
				const cases: Array<[Record<string, unknown>, string]> = [
					[{}, 'campaignId'],
					[{ campaignId: 'spring', email: 'not-an-email' }, 'email'],
					[{ campaignId: 'spring', metadata: 'x' }, 'metadata'],
					[{ campaignId: 'spring', channel: 5n as unknown }, 'channel'],
				];
				for (const [input, field] of cases) {
					const err = await engine.issue(input as never).catch((e: unknown) => e);
					expect(err).toBeInstanceOf(InvalidArgumentError);
					expect((err as InvalidArgumentError).field).toBe(field);
				}
				await expect(engine.issue({ campaignId: 'ghost' })).rejects.toBeInstanceOf(NotFoundError);
				expect((await allEvents(engine)).length).toBe(before);
			});
		});

		describe('validate', () => {
			it('accepts a code typed in lower case with spaces, and computes the discount', async () => {
				await engine.createCampaign(campaign());
				const r = await engine.issue({ campaignId: 'spring' });
				if (!r.ok) throw new Error(r.reason);
				const typed = ` ${r.code.toLowerCase().replace(/-/g, ' ')} `;
				const v = await engine.validate({ code: typed, orderAmount: 80 });
				expect(v).toMatchObject({ valid: true, code: r.code, campaignId: 'spring', discountAmount: 12, remainingUses: 1 });
			});

			it('catches a typo by its check character before asking the store, and an unknown code', async () => {
				await engine.createCampaign(campaign());
				const r = await engine.issue({ campaignId: 'spring' });
				if (!r.ok) throw new Error(r.reason);
				for (let at = 0; at < 10; at++) {
					if (at === 5) continue; // the dash
					const v = await engine.validate({ code: typo(r.code, at) });
					expect(v).toMatchObject({ valid: false, reason: 'BAD_CHECK_CHARACTER' });
				}
				// With one campaign of that shape, the typo counts in that campaign's rejections.
				expect((await engine.stats({ campaignId: 'spring' })).rejected).toBe(9);
				const other = await engine.issue({ campaignId: 'spring' });
				if (!other.ok) throw new Error(other.reason);
				await engine.void({ code: other.code });
				expect(await engine.validate({ code: 'SPRING-2345-678' })).toMatchObject({ valid: false, reason: 'BAD_FORMAT' });
				expect(await engine.validate({ code: other.code })).toMatchObject({ valid: false, reason: 'VOIDED' });
			});

			it('says NOT_FOUND for a well-formed code nobody issued', async () => {
				const c = await engine.createCampaign(campaign({ code: { pattern: 'AB-########' } }));
				expect(c.code.checkCharacter).toBe(false);
				expect(await engine.validate({ code: 'AB-23456789' })).toMatchObject({ valid: false, reason: 'NOT_FOUND', campaignId: null });
			});

			it('respects the validity window in the campaign zone', async () => {
				await engine.createCampaign(
					campaign({ validity: { zone: 'Europe/Berlin', start: '2027-03-10T14:00', end: '2027-03-20T00:00' } }),
				);
				const r = await engine.issue({ campaignId: 'spring' });
				expect(r).toMatchObject({ ok: false, reason: 'NOT_STARTED' });
				clock.set('2027-03-10T13:00:00Z'); // 14:00 Berlin
				const ok = await engine.issue({ campaignId: 'spring' });
				if (!ok.ok) throw new Error(ok.reason);
				expect((await engine.validate({ code: ok.code })).valid).toBe(true);
				clock.set('2027-03-19T22:59:59Z');
				expect((await engine.validate({ code: ok.code })).valid).toBe(true);
				clock.set('2027-03-19T23:00:00Z'); // midnight Berlin
				expect(await engine.validate({ code: ok.code })).toMatchObject({ valid: false, reason: 'EXPIRED', message: 'The code has expired' });
				expect(await engine.issue({ campaignId: 'spring' })).toMatchObject({
					ok: false,
					reason: 'EXPIRED',
					message: 'The campaign has ended and issues no more codes',
				});
			});

			it('respects weekday and hour windows in the campaign zone', async () => {
				await engine.createCampaign(
					campaign({ validity: { zone: 'America/New_York', windows: [{ days: ['sat', 'sun'], from: '09:00', to: '17:00' }] } }),
				);
				const r = await engine.issue({ campaignId: 'spring' });
				if (!r.ok) throw new Error(r.reason);
				clock.set('2027-03-13T13:59:00Z'); // Sat 08:59 EST
				expect(await engine.validate({ code: r.code })).toMatchObject({ valid: false, reason: 'OUTSIDE_TIME_WINDOW' });
				clock.set('2027-03-13T14:00:00Z'); // Sat 09:00 EST
				expect((await engine.validate({ code: r.code })).valid).toBe(true);
				clock.set('2027-03-14T20:59:00Z'); // Sun 16:59 EDT (DST began that morning)
				expect((await engine.validate({ code: r.code })).valid).toBe(true);
				clock.set('2027-03-14T21:00:00Z'); // Sun 17:00 EDT
				expect(await engine.validate({ code: r.code })).toMatchObject({ valid: false, reason: 'OUTSIDE_TIME_WINDOW' });
			});

			it('applies minimum order, currency, channel, segments and first-order rules', async () => {
				await engine.createCampaign(
					campaign({
						discount: { type: 'fixed', amount: 10, currency: 'EUR' },
						rules: { minOrderAmount: 50, segments: ['vip'], channels: ['web'], firstOrderOnly: true },
					}),
				);
				const r = await engine.issue({ campaignId: 'spring', channel: 'web' });
				if (!r.ok) throw new Error(r.reason);
				const base = { code: r.code, channel: 'web', currency: 'EUR', orderAmount: 60, segments: ['vip'] };
				expect((await engine.validate(base)).valid).toBe(true);
				expect(await engine.validate({ ...base, orderAmount: 49.99 })).toMatchObject({ reason: 'MIN_ORDER_NOT_MET' });
				expect(await engine.validate({ ...base, currency: 'USD' })).toMatchObject({ reason: 'CURRENCY_MISMATCH' });
				expect(await engine.validate({ ...base, channel: 'pos' })).toMatchObject({ reason: 'CHANNEL_NOT_ALLOWED' });
				expect(await engine.validate({ ...base, segments: ['new'] })).toMatchObject({ reason: 'NOT_ELIGIBLE' });
				expect(await engine.validate({ ...base, firstOrder: false })).toMatchObject({ reason: 'NOT_ELIGIBLE' });
				expect(await engine.issue({ campaignId: 'spring', channel: 'sms' })).toMatchObject({ ok: false, reason: 'CHANNEL_NOT_ALLOWED' });
				// Segments and order history from the stored customer profile.
				await engine.upsertCustomer({ id: 'c9', tags: ['vip'], orderCount: 0 });
				const noSegments = { code: r.code, channel: 'web', currency: 'EUR', orderAmount: 60, customerId: 'c9' };
				expect((await engine.validate(noSegments)).valid).toBe(true);
				await engine.upsertCustomer({ id: 'c9', orderCount: 3 });
				expect(await engine.validate(noSegments)).toMatchObject({ reason: 'NOT_ELIGIBLE' });
			});
		});

		describe('redeem', () => {
			it('redeems once per code by default', async () => {
				await engine.createCampaign(campaign());
				const r = await engine.issue({ campaignId: 'spring' });
				if (!r.ok) throw new Error(r.reason);
				const first = await engine.redeem({ code: r.code, orderId: 'o1', orderAmount: 100 });
				expect(first).toMatchObject({ ok: true, code: r.code, orderId: 'o1', discountAmount: 15 });
				expect(await engine.redeem({ code: r.code, orderId: 'o2' })).toMatchObject({ ok: false, reason: 'CODE_LIMIT_REACHED' });
				expect(await engine.validate({ code: r.code })).toMatchObject({ valid: false, reason: 'CODE_LIMIT_REACHED' });
				expect((await engine.getCode(r.code))?.state).toBe('redeemed');
			});

			it('counts a customer by id and by normalised email', async () => {
				await engine.createCampaign(campaign({ limits: { perCustomer: 1 } }));
				const a = await engine.issue({ campaignId: 'spring' });
				const b = await engine.issue({ campaignId: 'spring' });
				if (!a.ok || !b.ok) throw new Error('issue');
				expect((await engine.redeem({ code: a.code, email: 'Ann+promo@Example.com' })).ok).toBe(true);
				expect(await engine.redeem({ code: b.code, email: 'ann@example.com' })).toMatchObject({ ok: false, reason: 'CUSTOMER_LIMIT_REACHED' });
				expect(await engine.validate({ code: b.code, email: 'ANN+2@example.com' })).toMatchObject({ reason: 'CUSTOMER_LIMIT_REACHED' });
				expect((await engine.redeem({ code: b.code, email: 'bob@example.com' })).ok).toBe(true);
			});

			it("counts a use also under the customer a code was issued to, whichever of the customer's ids the caller gives", async () => {
				await engine.createCampaign(campaign({ limits: { perCustomer: 1 } }));
				const ann = { campaignId: 'spring', customerId: 'c1', email: 'ann@x.com' };
				const [a, b, c] = [await engine.issue(ann), await engine.issue(ann), await engine.issue(ann)];
				if (!a.ok || !b.ok || !c.ok) throw new Error('issue');
				const first = await engine.redeem({ code: a.code, customerId: 'c1' });
				if (!first.ok) throw new Error(first.reason);
				expect(await engine.validate({ code: b.code, email: 'Ann+2@X.com' })).toMatchObject({ valid: false, reason: 'CUSTOMER_LIMIT_REACHED' });
				expect(await engine.redeem({ code: b.code, email: 'Ann+2@X.com' })).toMatchObject({ ok: false, reason: 'CUSTOMER_LIMIT_REACHED' });
				expect(await engine.reserve({ code: b.code, email: 'ann@x.com' })).toMatchObject({ ok: false, reason: 'CUSTOMER_LIMIT_REACHED' });
				// A rollback gives the use back under every key it was counted under.
				expect(await engine.rollback({ redemptionId: first.redemptionId })).toMatchObject({ ok: true });
				expect(await engine.validate({ code: b.code, email: 'ann@x.com' })).toMatchObject({ valid: true });
				// A hold by email counts against the customer's id too, and so does its commit.
				const hold = await engine.reserve({ code: b.code, email: 'ann@x.com' });
				if (!hold.ok) throw new Error(hold.reason);
				expect(await engine.validate({ code: c.code, customerId: 'c1' })).toMatchObject({ valid: false, reason: 'CUSTOMER_LIMIT_REACHED' });
				expect(await engine.commit({ reservationId: hold.reservationId })).toMatchObject({ ok: true });
				expect(await engine.redeem({ code: c.code, customerId: 'c1' })).toMatchObject({ ok: false, reason: 'CUSTOMER_LIMIT_REACHED' });
				expect(await engine.audit('spring')).toMatchObject({ consistent: true });
				expect(await engine.stats({ campaignId: 'spring' })).toMatchObject({ redeemed: 2, rolledBack: 1 });
			});

			it("counts uses of a customer's own codes and of codes issued to no one under the same keys", async () => {
				await engine.createCampaign(campaign({ limits: { perCustomer: 1 } }));
				const ann = { campaignId: 'spring', customerId: 'c1', email: 'ann@x.com' };
				const issue = async (who: Partial<typeof ann> = {}) => {
					const r = await engine.issue({ campaignId: 'spring', ...who });
					if (!r.ok) throw new Error(r.reason);
					return r.code;
				};
				// A code of no one's redeemed by id counts against Ann's own code used by email alone.
				expect(await engine.redeem({ code: await issue(), customerId: 'c1' })).toMatchObject({ ok: true });
				const own = await issue(ann);
				expect(await engine.validate({ code: own, email: 'ann@x.com' })).toMatchObject({ valid: false, reason: 'CUSTOMER_LIMIT_REACHED' });
				expect(await engine.redeem({ code: own, email: 'ann@x.com' })).toMatchObject({ ok: false, reason: 'CUSTOMER_LIMIT_REACHED' });
				// The other way round: her own code by email counts under her id too.
				const bob = { campaignId: 'spring', customerId: 'c2', email: 'bob@x.com' };
				expect(await engine.redeem({ code: await issue(bob), email: 'Bob+1@x.com' })).toMatchObject({ ok: true });
				const anyone = await issue();
				expect(await engine.validate({ code: anyone, customerId: 'c2' })).toMatchObject({ valid: false, reason: 'CUSTOMER_LIMIT_REACHED' });
				expect(await engine.redeem({ code: anyone, customerId: 'c2' })).toMatchObject({ ok: false, reason: 'CUSTOMER_LIMIT_REACHED' });
				expect(await engine.redeem({ code: anyone, customerId: 'c3' })).toMatchObject({ ok: true });
			});

			it('stops at the campaign total', async () => {
				await engine.createCampaign(campaign({ limits: { total: 2 } }));
				const codes: string[] = [];
				for (let i = 0; i < 3; i++) {
					const r = await engine.issue({ campaignId: 'spring' });
					if (!r.ok) throw new Error(r.reason);
					codes.push(r.code);
				}
				expect((await engine.redeem({ code: codes[0] })).ok).toBe(true);
				expect((await engine.redeem({ code: codes[1] })).ok).toBe(true);
				expect(await engine.redeem({ code: codes[2] })).toMatchObject({ ok: false, reason: 'CAMPAIGN_LIMIT_REACHED' });
			});

			it('only lets the assigned customer redeem a personal code', async () => {
				await engine.createCampaign(campaign());
				const r = await engine.issue({ campaignId: 'spring', customerId: 'c1', email: 'c1@x.com' });
				if (!r.ok) throw new Error(r.reason);
				expect(await engine.redeem({ code: r.code, customerId: 'c2' })).toMatchObject({ ok: false, reason: 'NOT_ASSIGNED' });
				expect(await engine.redeem({ code: r.code })).toMatchObject({ ok: false, reason: 'NOT_ASSIGNED' });
				expect((await engine.redeem({ code: r.code, email: 'C1+x@X.com' })).ok).toBe(true);
			});

			it('rejects an expired code once its lifetime has passed', async () => {
				await engine.createCampaign(campaign({ validity: { lifetimeDays: 2 } }));
				const r = await engine.issue({ campaignId: 'spring' });
				if (!r.ok) throw new Error(r.reason);
				clock.advance(2 * DAY - 1);
				expect((await engine.validate({ code: r.code })).valid).toBe(true);
				clock.advance(1);
				expect(await engine.redeem({ code: r.code })).toMatchObject({ ok: false, reason: 'EXPIRED' });
				expect(await engine.getCode(r.code)).toMatchObject({ state: 'expired', remainingUses: 0 });
			});

			it('ends a code with its campaign when the end moves before the code would expire', async () => {
				await engine.createCampaign(campaign({ validity: { zone: 'UTC', lifetimeDays: 30 } }));
				const r = await engine.issue({ campaignId: 'spring' });
				if (!r.ok) throw new Error(r.reason);
				await engine.updateCampaign('spring', { validity: { zone: 'UTC', lifetimeDays: 30, end: '2027-03-15' } });
				clock.set('2027-03-16T00:00:00Z');
				expect(await engine.validate({ code: r.code })).toMatchObject({ valid: false, reason: 'EXPIRED' });
				expect(await engine.getCode(r.code)).toMatchObject({ state: 'expired', expiresAt: '2027-03-16T00:00:00.000Z', remainingUses: 0 });
			});

			it('is idempotent by key: a retry returns the first result and changes nothing', async () => {
				await engine.createCampaign(campaign({ limits: { perCode: 5 } }));
				const r = await engine.issue({ campaignId: 'spring' });
				if (!r.ok) throw new Error(r.reason);
				const a = await engine.redeem({ code: r.code, orderId: 'o1', idempotencyKey: 'pay-1' });
				const b = await engine.redeem({ code: r.code, orderId: 'o1', idempotencyKey: 'pay-1' });
				if (!a.ok || !b.ok) throw new Error('redeem');
				expect(b.redemptionId).toBe(a.redemptionId);
				expect((await engine.getCode(r.code))?.redemptions).toBe(1);
				await expect(engine.redeem({ code: r.code, orderId: 'o2', idempotencyKey: 'pay-1' })).rejects.toBeInstanceOf(
					IdempotencyConflictError,
				);
				// A retry after the campaign ended still returns the first result.
				await engine.updateCampaign('spring', { active: false });
				const c = await engine.redeem({ code: r.code, orderId: 'o1', idempotencyKey: 'pay-1' });
				expect(c).toMatchObject({ ok: true, redemptionId: a.redemptionId });
				expect((await allEvents(engine, 'spring')).filter((e) => e.type === 'redeemed')).toHaveLength(1);
			});

			it('keeps a refusal decided before the store under the idempotency key: a retry gets it again and writes nothing', async () => {
				await engine.createCampaign(campaign({ validity: { zone: 'UTC', start: '2027-03-11' }, rules: { minOrderAmount: 100 } }));
				expect(await engine.issue({ campaignId: 'spring', idempotencyKey: 'i-1' })).toMatchObject({ ok: false, reason: 'NOT_STARTED' });
				const written = (await allEvents(engine)).length;
				expect(await engine.issue({ campaignId: 'spring', idempotencyKey: 'i-1' })).toMatchObject({ ok: false, reason: 'NOT_STARTED' });
				clock.set('2027-03-11T00:00:00Z');
				expect(await engine.issue({ campaignId: 'spring', idempotencyKey: 'i-1' })).toMatchObject({ ok: false, reason: 'NOT_STARTED' });
				expect((await allEvents(engine)).length).toBe(written);
				await expect(engine.issue({ campaignId: 'spring', channel: 'sms', idempotencyKey: 'i-1' })).rejects.toThrow(IdempotencyConflictError);
				const r = await engine.issue({ campaignId: 'spring', idempotencyKey: 'i-2' });
				if (!r.ok) throw new Error(r.reason);

				const pay = { code: r.code, orderAmount: 50, idempotencyKey: 'pay-1' };
				expect(await engine.redeem(pay)).toMatchObject({ ok: false, reason: 'MIN_ORDER_NOT_MET' });
				const afterRefusal = (await allEvents(engine)).length;
				expect(await engine.redeem(pay)).toMatchObject({ ok: false, reason: 'MIN_ORDER_NOT_MET' });
				await engine.updateCampaign('spring', { rules: { minOrderAmount: 0 } });
				expect(await engine.redeem(pay)).toMatchObject({ ok: false, reason: 'MIN_ORDER_NOT_MET' });
				expect((await allEvents(engine)).length).toBe(afterRefusal + 1); // the campaign change only
				await expect(engine.redeem({ ...pay, orderAmount: 60 })).rejects.toThrow(IdempotencyConflictError);
				expect(await engine.redeem({ ...pay, idempotencyKey: 'pay-2' })).toMatchObject({ ok: true });
				expect(await engine.stats({ campaignId: 'spring' })).toMatchObject({ issued: 1, redeemed: 1, rejected: 2 });
			});

			it('sees a campaign change made by another engine on the same store', async () => {
				await engine.createCampaign(campaign({ limits: { perCode: 1 } }));
				const r = await engine.issue({ campaignId: 'spring' });
				if (!r.ok) throw new Error(r.reason);
				const other = await harness.open({ clock: clock.now }, false);
				try {
					await other.updateCampaign('spring', { limits: { perCode: 2 } });
				} finally {
					await other.close();
				}
				expect((await engine.redeem({ code: r.code })).ok).toBe(true);
				expect((await engine.redeem({ code: r.code })).ok).toBe(true);
				expect(await engine.redeem({ code: r.code })).toMatchObject({ reason: 'CODE_LIMIT_REACHED' });
			});

			it('answers validate, redeem and issue from the stored campaign when another engine has paused, resumed or changed it', async () => {
				await engine.createCampaign(campaign({ limits: { perCode: 3 }, rules: { minOrderAmount: 100 } }));
				const r = await engine.issue({ campaignId: 'spring' });
				if (!r.ok) throw new Error(r.reason);
				expect((await engine.redeem({ code: r.code, orderAmount: 150 })).ok).toBe(true);
				const other = await harness.open({ clock: clock.now }, false);
				try {
					// This engine still holds the active campaign: the answers come from the paused one.
					await other.updateCampaign('spring', { active: false });
					expect(await engine.validate({ code: r.code, orderAmount: 150 })).toMatchObject({ valid: false, reason: 'INACTIVE' });
					await other.updateCampaign('spring', { active: true });
					await other.updateCampaign('spring', { active: false });
					expect(await engine.redeem({ code: r.code, orderAmount: 150 })).toMatchObject({ ok: false, reason: 'INACTIVE' });
					// It now holds the paused campaign, which would refuse before the store is asked.
					await other.updateCampaign('spring', { active: true });
					expect(await engine.issue({ campaignId: 'spring' })).toMatchObject({ ok: true });
					await other.updateCampaign('spring', { active: false });
					await other.updateCampaign('spring', { active: true, rules: { minOrderAmount: 0 } });
					expect(await engine.validate({ code: r.code, orderAmount: 50 })).toMatchObject({ valid: true, remainingUses: 2 });
					// Holding a minimum of 0, then of 100, while the store holds the other.
					await other.updateCampaign('spring', { rules: { minOrderAmount: 100 } });
					expect(await engine.validate({ code: r.code, orderAmount: 50 })).toMatchObject({ valid: false, reason: 'MIN_ORDER_NOT_MET' });
					await other.updateCampaign('spring', { rules: { minOrderAmount: 0 } });
					expect(await engine.redeem({ code: r.code, orderAmount: 50 })).toMatchObject({ ok: true });
					await other.updateCampaign('spring', { limits: { perCode: 2 } });
					expect(await engine.validate({ code: r.code })).toMatchObject({ valid: false, reason: 'CODE_LIMIT_REACHED' });
				} finally {
					await other.close();
				}
				expect(await engine.stats({ campaignId: 'spring' })).toMatchObject({ issued: 2, redeemed: 2 });
			});

			it("validates a code of a look-alike campaign this engine has not seen by that campaign's rules", async () => {
				// This engine knows only spring; the other makes summer, whose codes have the same shape.
				await engine.createCampaign(campaign({ rules: { minOrderAmount: 100 } }));
				const code = await issuedByAnotherEngine(campaign({ id: 'summer', name: 'Summer', discount: { type: 'percent', value: 30 } }));
				// Spring's minimum would refuse it; summer has none.
				expect(await engine.validate({ code, orderAmount: 50 })).toMatchObject({ valid: true, campaignId: 'summer', discountAmount: 15 });
				// A code of that shape nobody issued is unknown, whatever spring's rules say of the order.
				const unknown = generateCodes({ count: 1, pattern: 'SPRING-####-####', checkCharacter: true })[0];
				expect(await engine.validate({ code: unknown, orderAmount: 50 })).toMatchObject({ valid: false, reason: 'NOT_FOUND', campaignId: null });
				expect(await engine.validate({ code: unknown, orderAmount: 150 })).toMatchObject({ valid: false, reason: 'NOT_FOUND', campaignId: null });
				expect(await engine.stats({ campaignId: 'spring' })).toMatchObject({ rejected: 0 });
			});

			it("validates a code of a look-alike campaign this engine has not seen when the campaign it knows would pass it", async () => {
				await engine.createCampaign(campaign());
				const code = await issuedByAnotherEngine(campaign({ id: 'summer', name: 'Summer', rules: { minOrderAmount: 100 } }));
				expect(await engine.validate({ code, orderAmount: 50 })).toMatchObject({ valid: false, reason: 'MIN_ORDER_NOT_MET', campaignId: 'summer' });
				expect(await engine.stats({ campaignId: 'summer' })).toMatchObject({ rejected: 1 });
				expect(await engine.stats({ campaignId: 'spring' })).toMatchObject({ rejected: 0 });
			});

			it('takes the codes of a campaign another engine has just made, whatever their shape or check character', async () => {
				await engine.createCampaign(campaign({ code: { pattern: 'CK-########', checkCharacter: true } }));
				expect((await engine.issue({ campaignId: 'spring' })).ok).toBe(true);
				const other = await harness.open({ clock: clock.now }, false);
				const codes: string[] = [];
				try {
					// Same shape as spring's but no check character; and a shape this engine has never seen.
					await other.createCampaign(campaign({ id: 'plain', code: { pattern: 'CK-#########' } }));
					await other.createCampaign(campaign({ id: 'new', code: { pattern: 'NEW-######' } }));
					for (const id of ['plain', 'plain', 'new', 'new']) {
						const r = await other.issue({ campaignId: id });
						if (!r.ok) throw new Error(r.reason);
						codes.push(r.code);
					}
				} finally {
					await other.close();
				}
				// No time passes: the answers cannot wait for a periodic refresh of the campaign list.
				expect(await engine.validate({ code: codes[0] })).toMatchObject({ valid: true, campaignId: 'plain' });
				expect(await engine.redeem({ code: codes[1] })).toMatchObject({ ok: true, campaignId: 'plain' });
				expect(await engine.validate({ code: codes[2] })).toMatchObject({ valid: true, campaignId: 'new' });
				expect(await engine.redeem({ code: codes[3] })).toMatchObject({ ok: true, campaignId: 'new' });
				expect((await engine.stats({})).rejected).toBe(0);
			});

			it("redeems a look-alike campaign's code under a key this engine's campaign holds for another call", async () => {
				await engine.createCampaign(campaign());
				const mine = await engine.issue({ campaignId: 'spring' });
				if (!mine.ok) throw new Error(mine.reason);
				expect(await engine.redeem({ code: mine.code, idempotencyKey: 'K1' })).toMatchObject({ ok: true, campaignId: 'spring' });
				const code = await issuedByAnotherEngine(campaign({ id: 'summer', name: 'Summer' }));
				// Keys are scoped per campaign: K1 is free in summer.
				const first = await engine.redeem({ code, idempotencyKey: 'K1' });
				expect(first).toMatchObject({ ok: true, campaignId: 'summer' });
				expect(await engine.redeem({ code, idempotencyKey: 'K1' })).toEqual(first);
				await expect(engine.redeem({ code: mine.code, orderId: 'other', idempotencyKey: 'K1' })).rejects.toThrow(IdempotencyConflictError);
			});

			it("redeems a code of a look-alike campaign this engine has not seen, and only once", async () => {
				// Same code shape in two campaigns: this engine knows only the first, whose shape the code fits.
				await engine.createCampaign(campaign({ limits: { perCode: 1 } }));
				const code = await issuedByAnotherEngine(campaign({ id: 'summer', name: 'Summer', discount: { type: 'percent', value: 30 }, rules: { minOrderAmount: 100 } }));
				// The summer rule (minimum order 100) applies, not spring's, although spring was the only shape known.
				expect(await engine.redeem({ code, orderAmount: 50 })).toMatchObject({ ok: false, reason: 'MIN_ORDER_NOT_MET', campaignId: 'summer' });
				expect(await engine.redeem({ code, orderAmount: 150 })).toMatchObject({ ok: true, campaignId: 'summer', discountAmount: 45 });
				expect(await engine.redeem({ code, orderAmount: 150 })).toMatchObject({ ok: false, reason: 'CODE_LIMIT_REACHED', campaignId: 'summer' });
				expect(await engine.stats({ campaignId: 'spring' })).toMatchObject({ redeemed: 0, rejected: 0 });
				expect(await engine.stats({ campaignId: 'summer' })).toMatchObject({ redeemed: 1, rejected: 2 });
			});

			it('takes look-alike codes to be of the campaign the last two lookups agreed on, and redeems a code of the other right', async () => {
				await engine.createCampaign(campaign({ limits: { perCode: 1 } }));
				await engine.createCampaign(campaign({ id: 'summer', name: 'Summer', discount: { type: 'percent', value: 30 }, rules: { minOrderAmount: 100 } }));
				const issue = async (campaignId: string) => {
					const r = await engine.issue({ campaignId });
					if (!r.ok) throw new Error(r.reason);
					return r.code;
				};
				const [s1, s2, s3, s4] = [await issue('spring'), await issue('spring'), await issue('spring'), await issue('spring')];
				const [u1, u2] = [await issue('summer'), await issue('summer')];
				const store = (engine as unknown as { store: { campaignOfCode(key: string): Promise<string | null> } }).store;
				let lookups = 0;
				const lookup = store.campaignOfCode.bind(store);
				store.campaignOfCode = (key) => {
					lookups++;
					return lookup(key);
				};
				const redeem = async (code: string, orderAmount: number) => {
					const before = lookups;
					const r = await engine.redeem({ code, orderAmount });
					return { ...r, lookups: lookups - before };
				};
				expect(await redeem(s1, 50)).toMatchObject({ ok: true, campaignId: 'spring', lookups: 1 });
				expect(await redeem(s2, 50)).toMatchObject({ ok: true, campaignId: 'spring', lookups: 1 });
				// two lookups agreed: the next is taken to be spring's without one
				expect(await redeem(s3, 50)).toMatchObject({ ok: true, campaignId: 'spring', lookups: 0 });
				// a summer code taken for spring's: spring's script does not hold it, the lookup says summer
				expect(await redeem(u1, 150)).toMatchObject({ ok: true, campaignId: 'summer', discountAmount: 45, lookups: 1 });
				expect(await redeem(u1, 150)).toMatchObject({ ok: false, reason: 'CODE_LIMIT_REACHED', campaignId: 'summer', lookups: 1 });
				// summer twice in a row now: the next is taken to be summer's
				expect(await redeem(u2, 150)).toMatchObject({ ok: true, campaignId: 'summer', discountAmount: 45, lookups: 0 });
				// a spring code taken for summer's fails summer's minimum order: looked up before it is rejected
				expect(await redeem(s4, 50)).toMatchObject({ ok: true, campaignId: 'spring', lookups: 1 });
				// with an idempotency key the campaign is always looked up
				const keyed = await engine.redeem({ code: s4, orderAmount: 50, idempotencyKey: 'k1' });
				expect(keyed).toMatchObject({ ok: false, reason: 'CODE_LIMIT_REACHED', campaignId: 'spring' });
				expect(await engine.stats({ campaignId: 'spring' })).toMatchObject({ redeemed: 4, rejected: 1 });
				expect(await engine.stats({ campaignId: 'summer' })).toMatchObject({ redeemed: 2, rejected: 1 });
			});

			it('answers NOT_FOUND for a well-formed code no campaign holds, even when a rule of the only look-alike fails', async () => {
				await engine.createCampaign(campaign({ rules: { minOrderAmount: 100 } }));
				const r = await engine.issue({ campaignId: 'spring' });
				if (!r.ok) throw new Error(r.reason);
				// a stored code with a failing rule says so; a missing one says NOT_FOUND whatever the order
				expect(await engine.redeem({ code: r.code, orderAmount: 10 })).toMatchObject({ reason: 'MIN_ORDER_NOT_MET' });
				const missing = generateCodes({ count: 1, pattern: 'SPRING-####-####', checkCharacter: true })[0];
				expect(await engine.getCode(missing)).toBeNull();
				expect(await engine.redeem({ code: missing, orderAmount: 10 })).toMatchObject({ ok: false, reason: 'NOT_FOUND', campaignId: null });
				expect(await engine.redeem({ code: missing, orderAmount: 500 })).toMatchObject({ ok: false, reason: 'NOT_FOUND', campaignId: null });
				const rejected = (await allEvents(engine)).filter((e) => e.type === 'rejected').map((e) => e.reason);
				expect(rejected).toEqual(['MIN_ORDER_NOT_MET', 'NOT_FOUND', 'NOT_FOUND']);
			});
		});

		describe('reserve, commit, release', () => {
			it('holds the unit until commit or release', async () => {
				await engine.createCampaign(campaign());
				const r = await engine.issue({ campaignId: 'spring' });
				if (!r.ok) throw new Error(r.reason);
				const hold = await engine.reserve({ code: r.code, orderId: 'o1', orderAmount: 40, ttlSeconds: 600 });
				if (!hold.ok) throw new Error(hold.reason);
				expect(hold.expiresAt).toBe(new Date(clock.t + 600_000).toISOString());
				expect(await engine.redeem({ code: r.code })).toMatchObject({ ok: false, reason: 'CODE_LIMIT_REACHED' });
				expect((await engine.release({ reservationId: hold.reservationId })).ok).toBe(true);
				expect(await engine.release({ reservationId: hold.reservationId })).toMatchObject({ ok: false, reason: 'ALREADY_FINISHED' });
				const again = await engine.reserve({ code: r.code, orderId: 'o2', orderAmount: 40 });
				if (!again.ok) throw new Error(again.reason);
				const committed = await engine.commit({ reservationId: again.reservationId });
				expect(committed).toMatchObject({ ok: true, redemptionId: again.reservationId, orderId: 'o2', discountAmount: 6 });
				// An order id known only at payment time is taken at commit.
				const late = await engine.issue({ campaignId: 'spring' });
				if (!late.ok) throw new Error(late.reason);
				const lateHold = await engine.reserve({ code: late.code });
				if (!lateHold.ok) throw new Error(lateHold.reason);
				expect(await engine.commit({ reservationId: lateHold.reservationId, orderId: 'o9', idempotencyKey: 'pay-9' })).toMatchObject({ ok: true, orderId: 'o9' });
				// The same key for another order is another call: refused, so the answer never differs from the ledger.
				await expect(engine.commit({ reservationId: lateHold.reservationId, orderId: 'o10', idempotencyKey: 'pay-9' })).rejects.toThrow(
					IdempotencyConflictError,
				);
				expect(await engine.commit({ reservationId: lateHold.reservationId, orderId: 'o9', idempotencyKey: 'pay-9' })).toMatchObject({ ok: true, orderId: 'o9' });
				const redeemedLate = (await allEvents(engine, 'spring')).filter((e) => e.type === 'redeemed' && e.code === late.code);
				expect(redeemedLate[0]?.data).toMatchObject({ orderId: 'o9' });
				expect(await engine.commit({ reservationId: again.reservationId })).toMatchObject({ ok: false, reason: 'ALREADY_FINISHED' });
				expect((await engine.getCode(r.code))?.redemptions).toBe(1);
				const s = await engine.stats({ campaignId: 'spring' });
				expect([s.reserved, s.released, s.redeemed, s.revenue]).toEqual([3, 1, 2, 40]);
			});

			it('gives the unit back when a reservation lapses, and refuses to commit it', async () => {
				await engine.createCampaign(campaign());
				const r = await engine.issue({ campaignId: 'spring' });
				if (!r.ok) throw new Error(r.reason);
				const hold = await engine.reserve({ code: r.code, ttlSeconds: 60 });
				if (!hold.ok) throw new Error(hold.reason);
				clock.advance(60_000);
				expect((await engine.getCode(r.code))?.reserved).toBe(0);
				expect(await engine.commit({ reservationId: hold.reservationId })).toMatchObject({ ok: false, reason: 'RESERVATION_EXPIRED' });
				expect((await engine.redeem({ code: r.code })).ok).toBe(true);
			});

			it('counts nothing against a customer for a redemption it refuses', async () => {
				await engine.createCampaign(campaign({ limits: { perCustomer: 1, total: 2 } }));
				const codes: string[] = [];
				for (let i = 0; i < 5; i++) {
					const r = await engine.issue({ campaignId: 'spring' });
					if (!r.ok) throw new Error(r.reason);
					codes.push(r.code);
				}
				// zoe's email is used up; her id is not, and a refusal on the email must leave the id's count alone
				expect((await engine.redeem({ code: codes[0], email: 'zoe@example.com' })).ok).toBe(true);
				expect(await engine.redeem({ code: codes[1], customerId: 'c3', email: 'zoe@example.com' })).toMatchObject({
					reason: 'CUSTOMER_LIMIT_REACHED',
				});
				// the campaign's last unit goes to c3 by id alone; c4 is refused by the campaign total, not counted
				expect((await engine.redeem({ code: codes[1], customerId: 'c3' })).ok).toBe(true);
				expect(await engine.redeem({ code: codes[2], customerId: 'c4' })).toMatchObject({ reason: 'CAMPAIGN_LIMIT_REACHED' });
				await engine.updateCampaign('spring', { limits: { total: 3 } });
				expect((await engine.redeem({ code: codes[2], customerId: 'c4' })).ok).toBe(true);
				expect(await engine.redeem({ code: codes[3], customerId: 'c4' })).toMatchObject({ reason: 'CUSTOMER_LIMIT_REACHED' });
				expect((await engine.stats({ campaignId: 'spring' })).redeemed).toBe(3);
				expect((await engine.audit('spring')).consistent).toBe(true);
			});

			it('holds count against customer and campaign limits too', async () => {
				await engine.createCampaign(campaign({ limits: { perCustomer: 1, total: 1 } }));
				const a = await engine.issue({ campaignId: 'spring' });
				const b = await engine.issue({ campaignId: 'spring' });
				if (!a.ok || !b.ok) throw new Error('issue');
				expect((await engine.reserve({ code: a.code, customerId: 'c1' })).ok).toBe(true);
				expect(await engine.redeem({ code: b.code, customerId: 'c1' })).toMatchObject({ reason: 'CUSTOMER_LIMIT_REACHED' });
				expect(await engine.redeem({ code: b.code, customerId: 'c2' })).toMatchObject({ reason: 'CAMPAIGN_LIMIT_REACHED' });
			});
		});

		describe('roll back and void', () => {
			it('rolls a redemption back once and gives the unit back', async () => {
				await engine.createCampaign(campaign());
				const r = await engine.issue({ campaignId: 'spring' });
				if (!r.ok) throw new Error(r.reason);
				const red = await engine.redeem({ code: r.code, orderAmount: 100, customerId: 'c1' });
				if (!red.ok) throw new Error(red.reason);
				const back = await engine.rollback({ redemptionId: red.redemptionId, reason: 'payment failed' });
				expect(back).toMatchObject({ ok: true, code: r.code, campaignId: 'spring' });
				expect(await engine.rollback({ redemptionId: red.redemptionId })).toMatchObject({ ok: false, reason: 'ALREADY_FINISHED' });
				expect(await engine.rollback({ redemptionId: 'spring~00000000-0000-7000-8000-000000000000' })).toMatchObject({
					ok: false,
					reason: 'NOT_FOUND',
				});
				await expect(engine.rollback({ redemptionId: 'garbage' })).rejects.toBeInstanceOf(InvalidArgumentError);
				expect((await engine.redeem({ code: r.code, customerId: 'c1' })).ok).toBe(true);
				const s = await engine.stats({ campaignId: 'spring' });
				expect([s.redeemed, s.rolledBack, s.revenue]).toEqual([2, 1, 0]);
				const rolled = (await allEvents(engine, 'spring')).find((e) => e.type === 'rolled_back');
				expect(rolled).toMatchObject({ code: r.code, amount: -100, customerId: 'c1', data: { reason: 'payment failed' } });
			});

			it('voids a code once', async () => {
				await engine.createCampaign(campaign());
				const r = await engine.issue({ campaignId: 'spring' });
				if (!r.ok) throw new Error(r.reason);
				expect(await engine.void({ code: r.code, reason: 'leaked' })).toMatchObject({ ok: true, code: r.code });
				expect(await engine.void({ code: r.code })).toMatchObject({ ok: false, reason: 'VOIDED' });
				expect(await engine.redeem({ code: r.code })).toMatchObject({ ok: false, reason: 'VOIDED' });
				expect(await engine.getCode(r.code)).toMatchObject({ state: 'voided', remainingUses: 0 });
			});
		});

		describe('abuse guard', () => {
			it('blocks a source after repeated guesses, records it, and lets others through', async () => {
				await engine.createCampaign(campaign({ code: { pattern: 'AB-########' }, rules: { currency: 'EUR' } }));
				const real = await engine.issue({ campaignId: 'spring' });
				if (!real.ok) throw new Error(real.reason);
				for (let i = 0; i < 5; i++) {
					expect(await engine.validate({ code: `AB-2345678${2 + i}`, source: '10.0.0.1' })).toMatchObject({ reason: 'NOT_FOUND' });
				}
				expect(await engine.validate({ code: real.code, source: '10.0.0.1' })).toMatchObject({ valid: false, reason: 'BLOCKED' });
				// whatever else is wrong with the call: an unknown code, a rule the order breaks
				expect(await engine.validate({ code: 'AB-23456789', source: '10.0.0.1' })).toMatchObject({ valid: false, reason: 'BLOCKED' });
				expect(await engine.validate({ code: real.code, source: '10.0.0.1', currency: 'JPY' })).toMatchObject({ valid: false, reason: 'BLOCKED' });
				expect(await engine.redeem({ code: real.code, source: '10.0.0.1' })).toMatchObject({ ok: false, reason: 'BLOCKED' });
				expect(await engine.redeem({ code: 'AB-23456789', source: '10.0.0.1' })).toMatchObject({ ok: false, reason: 'BLOCKED' });
				expect((await engine.getCode(real.code))?.redemptions).toBe(0);
				expect((await engine.validate({ code: real.code, source: '10.0.0.2' })).valid).toBe(true);
				expect(await engine.validate({ code: real.code, source: '10.0.0.2', currency: 'JPY' })).toMatchObject({ reason: 'CURRENCY_MISMATCH' });
				const blocked = (await allEvents(engine)).filter((e) => e.type === 'blocked');
				expect(blocked).toHaveLength(1);
				expect(blocked[0].data).toMatchObject({ key: 'source:10.0.0.1' });
				clock.advance(900_000);
				expect((await engine.validate({ code: real.code, source: '10.0.0.1' })).valid).toBe(true);
			});

			it('counts redeem guesses too, and a blocked customer redeems nothing until the cool-down ends', async () => {
				await engine.createCampaign(campaign({ code: { pattern: 'AB-########' } }));
				const real = await engine.issue({ campaignId: 'spring' });
				if (!real.ok) throw new Error(real.reason);
				for (let i = 0; i < 5; i++) {
					expect(await engine.redeem({ code: `AB-2345678${2 + i}`, customerId: 'mallory' })).toMatchObject({ reason: 'NOT_FOUND' });
				}
				const held = await engine.reserve({ code: real.code, customerId: 'mallory', idempotencyKey: 'h1' });
				expect(held).toMatchObject({ ok: false, reason: 'BLOCKED' });
				expect(await engine.redeem({ code: real.code, email: 'x@example.com', customerId: 'mallory' })).toMatchObject({ reason: 'BLOCKED' });
				expect(await engine.getCode(real.code)).toMatchObject({ redemptions: 0, reserved: 0 });
				const reasons = (await allEvents(engine)).filter((e) => e.type === 'rejected').map((e) => e.reason);
				expect(reasons).toEqual([...Array(5).fill('NOT_FOUND'), 'BLOCKED', 'BLOCKED']);
				expect((await engine.stats({ campaignId: 'spring' })).redeemed).toBe(0);
				clock.advance(900_000);
				expect(await engine.redeem({ code: real.code, customerId: 'mallory', idempotencyKey: 'h1' })).toMatchObject({ ok: true });
			});

			it('does not count rejections that are no guess (a limit reached)', async () => {
				await engine.createCampaign(campaign());
				const r = await engine.issue({ campaignId: 'spring' });
				if (!r.ok) throw new Error(r.reason);
				await engine.redeem({ code: r.code });
				for (let i = 0; i < 8; i++) await engine.validate({ code: r.code, customerId: 'c1' });
				const fresh = await engine.issue({ campaignId: 'spring' });
				if (!fresh.ok) throw new Error(fresh.reason);
				expect((await engine.validate({ code: fresh.code, customerId: 'c1' })).valid).toBe(true);
			});
		});

		describe('bulk generation', () => {
			it('streams unique stored codes in batches', async () => {
				await engine.createCampaign(campaign());
				const batches: string[][] = [];
				for await (const batch of engine.generate({ campaignId: 'spring', count: 2500, batchSize: 1000 })) batches.push(batch);
				expect(batches.map((b) => b.length)).toEqual([1000, 1000, 500]);
				const all = batches.flat();
				expect(new Set(all).size).toBe(2500);
				expect((await engine.validate({ code: all[1234] })).valid).toBe(true);
				const s = await engine.stats({ campaignId: 'spring' });
				expect(s.generated).toBe(2500);
			});

			it('refuses more codes than the issuance budget allows, writing nothing', async () => {
				await engine.createCampaign(campaign({ limits: { issuance: 100 } }));
				await engine.issue({ campaignId: 'spring' });
				const run = async () => {
					for await (const batch of engine.generate({ campaignId: 'spring', count: 100 })) void batch;
				};
				const err = await run().catch((e: unknown) => e);
				expect((err as InvalidArgumentError).field).toBe('count');
				expect((await engine.stats({ campaignId: 'spring' })).generated).toBe(0);
			});

			it('refuses to generate for a campaign that has ended, and stocks up one that has not started', async () => {
				await engine.createCampaign(campaign({ validity: { zone: 'UTC', start: '2027-03-12', end: '2027-03-20' } }));
				const take = async (count: number) => {
					const out: string[] = [];
					for await (const batch of engine.generate({ campaignId: 'spring', count })) out.push(...batch);
					return out;
				};
				expect(await take(3)).toHaveLength(3);
				clock.set('2027-03-21T00:00:00Z');
				const err = await take(3).catch((e: unknown) => e);
				expect(err).toBeInstanceOf(InvalidArgumentError);
				expect((err as InvalidArgumentError).field).toBe('campaignId');
				expect((err as Error).message).toContain('ended at 2027-03-21T00:00:00.000Z');
				expect((await engine.stats({ campaignId: 'spring' })).generated).toBe(3);
			});
		});

		describe('ledger and analytics', () => {
			it('pages events in order with a cursor that survives a restart', async () => {
				await engine.createCampaign(campaign());
				for (let i = 0; i < 5; i++) await engine.issue({ campaignId: 'spring' });
				const first = await engine.events({ limit: 3 });
				expect(first.events.map((e) => e.type)).toEqual(['campaign_created', 'issued', 'issued']);
				await engine.close();
				engine = await harness.open({ clock: clock.now }, false);
				const rest = await engine.events({ after: first.cursor, limit: 10 });
				expect(rest.events).toHaveLength(3);
				const ids = [...first.events, ...rest.events].map((e) => e.id);
				expect([...ids].sort()).toEqual(ids);
				const none = await engine.events({ after: rest.cursor });
				expect(none.events).toEqual([]);
				expect(none.cursor).toBe(rest.cursor);
				const onlyIssued = await engine.events({ types: ['issued'], limit: 2 });
				expect(onlyIssued.events.every((e) => e.type === 'issued')).toBe(true);
			});

			it('stats agree exactly with the event log, grouped by day in a zone and by channel', async () => {
				await engine.createCampaign(campaign({ limits: { perCode: 3 } }));
				await engine.createCampaign(campaign({ id: 'other', code: { pattern: 'OT-########' } }));
				clock.set('2027-03-10T22:30:00Z'); // 23:30 in Berlin
				const a = await engine.issue({ campaignId: 'spring', channel: 'email' });
				if (!a.ok) throw new Error(a.reason);
				await engine.redeem({ code: a.code, orderAmount: 20, channel: 'web' });
				clock.set('2027-03-10T23:30:00Z'); // 00:30 next day in Berlin
				const red = await engine.redeem({ code: a.code, orderAmount: 30, channel: 'web' });
				if (!red.ok) throw new Error(red.reason);
				await engine.rollback({ redemptionId: red.redemptionId });
				await engine.issue({ campaignId: 'other', channel: 'sms' });
				await engine.validate({ code: 'OT-22222222' });
				clock.set('2027-03-12T10:00:00Z'); // a day with nothing but a change of the campaign
				await engine.updateCampaign('spring', { name: 'Spring, renamed' });
				const events = await allEvents(engine);
				const count = (type: string) => events.filter((e) => e.type === type).reduce((n, e) => n + e.count, 0);
				const s = await engine.stats({});
				expect([s.issued, s.redeemed, s.rolledBack, s.rejected]).toEqual([
					count('issued'), count('redeemed'), count('rolled_back'), count('rejected'),
				]);
				expect([s.issued, s.redeemed, s.rolledBack, s.rejected, s.revenue]).toEqual([2, 2, 1, 1, 20]);
				expect(s.redemptionRate).toBeCloseTo(0.5);
				const byDay = await engine.stats({ groupBy: 'day', zone: 'Europe/Berlin', campaignId: 'spring' });
				expect(byDay.groups?.map((g) => [g.key, g.issued, g.redeemed, g.rolledBack])).toEqual([
					['2027-03-10', 1, 1, 0],
					['2027-03-11', 0, 1, 1],
				]);
				const byChannel = await engine.stats({ groupBy: 'channel' });
				expect(byChannel.groups?.find((g) => g.key === 'sms')?.issued).toBe(1);
				expect(byChannel.groups?.find((g) => g.key === 'web')?.redeemed).toBe(2);
				// Campaign changes count nowhere, and leave no group of zeros behind.
				const counted = (g: object) => Object.values(g).some((v) => typeof v === 'number' && v !== 0);
				expect([...(byDay.groups ?? []), ...(byChannel.groups ?? [])].filter((g) => !counted(g))).toEqual([]);
				const window = await engine.stats({ from: '2027-03-10T23:00:00Z' });
				expect(window.redeemed).toBe(1);
			});

			it('audit finds counters, code rows and ledger in agreement after a mix of operations', async () => {
				await engine.createCampaign(campaign({ limits: { perCode: 2 } }));
				const r = await engine.issue({ campaignId: 'spring' });
				if (!r.ok) throw new Error(r.reason);
				for await (const batch of engine.generate({ campaignId: 'spring', count: 30 })) void batch;
				const a = await engine.redeem({ code: r.code });
				await engine.redeem({ code: r.code });
				if (!a.ok) throw new Error(a.reason);
				await engine.rollback({ redemptionId: a.redemptionId });
				const hold = await engine.reserve({ code: r.code });
				if (!hold.ok) throw new Error(hold.reason);
				await engine.commit({ reservationId: hold.reservationId });
				const report = await engine.audit('spring');
				expect(report).toMatchObject({
					consistent: true,
					codes: 31,
					issuedCounter: 31,
					ledgerIssued: 31,
					redeemedCounter: 2,
					codeRedemptions: 2,
					standingRedemptions: 2,
					ledgerRedeemed: 2,
				});
			});

			it('records each code that ran out unused as expired, once', async () => {
				await engine.createCampaign(campaign({ validity: { lifetimeDays: 1 }, limits: { perCode: 1 } }));
				const codes: string[] = [];
				for (let i = 0; i < 5; i++) {
					const r = await engine.issue({ campaignId: 'spring', channel: 'email' });
					if (!r.ok) throw new Error(r.reason);
					codes.push(r.code);
				}
				await engine.redeem({ code: codes[0] });
				await engine.void({ code: codes[1] });
				expect(await engine.expireDue()).toEqual({ expired: 0, more: false });
				clock.advance(DAY);
				expect(await engine.expireDue({ limit: 2 })).toMatchObject({ more: true });
				const rest = await engine.expireDue();
				expect(rest.more).toBe(false);
				expect(await engine.expireDue()).toEqual({ expired: 0, more: false });
				const expired = (await allEvents(engine, 'spring')).filter((e) => e.type === 'expired');
				expect(expired.map((e) => e.code).sort()).toEqual([codes[2], codes[3], codes[4]].sort());
				expect(expired.every((e) => e.channel === 'email')).toBe(true);
				expect((await engine.stats({ campaignId: 'spring' })).expired).toBe(3);
			});

			it('records a delivery', async () => {
				await engine.createCampaign(campaign());
				const r = await engine.issue({ campaignId: 'spring' });
				if (!r.ok) throw new Error(r.reason);
				const e = await engine.markDelivered({ code: r.code, channel: 'sms', recipient: '+4915100000' });
				expect(e).toMatchObject({ type: 'delivered', code: r.code, campaignId: 'spring', channel: 'sms' });
				expect((await engine.stats({ campaignId: 'spring' })).delivered).toBe(1);
			});
		});

		describe('customers', () => {
			it('merges profile fields and finds a customer by normalised email', async () => {
				await engine.upsertCustomer({ id: 'c1', email: 'Ann+x@Example.com', birthday: '1990-02-28', tags: ['vip'] });
				const merged = await engine.upsertCustomer({ id: 'c1', timeZone: 'Europe/Berlin' });
				expect(merged).toMatchObject({ id: 'c1', email: 'ann@example.com', birthday: '1990-02-28', timeZone: 'Europe/Berlin', tags: ['vip'] });
				expect((await engine.getCustomer({ email: 'ANN@example.com' }))?.id).toBe('c1');
				expect((await engine.upsertCustomer({ id: 'c3', birthday: '--02-29' })).birthday).toBe('--02-29');
				const err = await engine.upsertCustomer({ id: 'c2', birthday: '1990-02-30' }).catch((e: unknown) => e);
				expect((err as InvalidArgumentError).field).toBe('birthday');
				expect(await engine.getCustomer({ id: 'c2' })).toBeNull();
			});
		});
	});
}
