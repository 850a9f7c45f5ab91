// The Coupon node in real n8n executions, on the real engine and both real stores.
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { runWorkflow } from './helpers/harness';
import { couponJson, runCoupon } from './helpers/run';
import { STORES } from './helpers/stores';
import { chain, couponNode, couponTypes } from './helpers/workflows';
import { releaseAllEngines } from '../../nodes/n8n/shared/store';
import { closeAllTriggers } from '../../nodes/n8n/shared/triggers';

// the Customer operations open trigger services, which n8n keeps for the life of the process
afterAll(async () => {
	await closeAllTriggers();
	await releaseAllEngines();
});

const createSpring = (extra: IDataObject = {}) => ({
	resource: 'campaign',
	operation: 'create',
	campaignId: 'spring',
	discountType: 'percent',
	discountValue: 15,
	additionalFields: { codePattern: 'SPRING-####-####', ...extra },
});

describe.each(STORES)('Coupon node on the %s store', (_kind, makeStore) => {
	let store: ICredentialDataDecryptedObject;

	beforeEach(async () => {
		store = makeStore();
		await couponJson(store, createSpring({ perCustomer: 1 }));
	});

	describe('Campaign', () => {
		test('Create from fields resolves the definition', async () => {
			const [campaign] = await couponJson(store, {
				resource: 'campaign',
				operation: 'create',
				campaignId: 'fixed-five',
				discountType: 'fixed',
				discountAmount: 5,
				discountCurrency: 'eur',
				additionalFields: {
					name: 'Five off',
					codeLength: 8,
					checkCharacter: true,
					lifetimeDays: 30,
					timeZone: 'Europe/Berlin',
					perCode: 2,
					totalRedemptions: 100,
					segments: 'vip, newsletter',
					channels: 'email',
					metadata: '{"owner": "crm"}',
				},
			});
			expect(campaign).toMatchObject({
				id: 'fixed-five',
				name: 'Five off',
				discount: { type: 'fixed', amount: 5, currency: 'EUR' },
				code: { checkCharacter: true },
				validity: { zone: 'Europe/Berlin', lifetimeDays: 30 },
				limits: { perCode: 2, total: 100 },
				rules: { segments: ['vip', 'newsletter'], channels: ['email'], currency: 'EUR' },
				metadata: { owner: 'crm' },
				active: true,
				version: 1,
			});
		});

		test('Create from JSON', async () => {
			const [campaign] = await couponJson(store, {
				resource: 'campaign',
				operation: 'create',
				defineWith: 'json',
				campaignId: 'json-one',
				definition: JSON.stringify({ discount: { type: 'freeShipping' }, limits: { perCode: 3 } }),
			});
			expect(campaign).toMatchObject({ id: 'json-one', discount: { type: 'freeShipping' }, limits: { perCode: 3 } });
		});

		test('Update, Get and Get Many', async () => {
			const [updated] = await couponJson(store, {
				resource: 'campaign',
				operation: 'update',
				campaignId: 'spring',
				updateFields: { active: false, totalRedemptions: 10, discountType: 'percent', discountValue: 20 },
			});
			expect(updated).toMatchObject({ id: 'spring', active: false, limits: { total: 10 }, discount: { value: 20 }, version: 2 });

			const [got] = await couponJson(store, { resource: 'campaign', operation: 'get', campaignId: 'spring' });
			expect(got).toMatchObject({ id: 'spring', version: 2 });

			await couponJson(store, { resource: 'campaign', operation: 'create', campaignId: 'b', discountType: 'freeShipping' });
			await couponJson(store, { resource: 'campaign', operation: 'create', campaignId: 'c', discountType: 'freeShipping' });
			const all = await couponJson(store, { resource: 'campaign', operation: 'getMany', returnAll: true });
			expect(all.map((c) => c.id).sort()).toEqual(['b', 'c', 'spring']);
			const two = await couponJson(store, { resource: 'campaign', operation: 'getMany', limit: 2 });
			expect(two).toHaveLength(2);
			const active = await couponJson(store, { resource: 'campaign', operation: 'getMany', returnAll: true, filters: { activeOnly: true } });
			expect(active.map((c) => c.id).sort()).toEqual(['b', 'c']);
		});

		test('Get of an unknown campaign fails with words', async () => {
			const run = await runCoupon(store, { resource: 'campaign', operation: 'get', campaignId: 'nope' });
			expect(run.error?.message).toBe('campaign "nope" does not exist');
			expect(run.error?.description).toMatch(/create it first/);
		});

		test('Create twice: a conflict that says what to do', async () => {
			const run = await runCoupon(store, createSpring());
			expect(run.error?.message).toMatch(/already exists/);
			expect(run.error?.description).toMatch(/Update instead of Create/);
		});

		test('an engine error names the form field, not the engine field', async () => {
			const run = await runCoupon(store, {
				resource: 'campaign',
				operation: 'create',
				campaignId: 'bad',
				discountType: 'percent',
				discountValue: 150,
			});
			expect(run.error?.message).toBe('Percent Off: must be at most 100');
			expect(run.error?.description).toMatch(/Check the "Percent Off" parameter/);
		});
	});

	describe('Code', () => {
		test('Issue: one code per item, with expressions per item', async () => {
			const issued = await couponJson(
				store,
				{
					resource: 'code',
					operation: 'issue',
					campaignId: 'spring',
					additionalFields: { customerId: '={{ $json.id }}', channel: 'email', metadata: '={{ JSON.stringify({ order: $json.order }) }}' },
				},
				[{ id: 'c1', order: 'o1' }, { id: 'c2', order: 'o2' }, { id: 'c3', order: 'o3' }],
			);
			expect(issued).toHaveLength(3);
			for (const [i, result] of issued.entries()) {
				expect(result).toMatchObject({ ok: true, campaignId: 'spring', customerId: `c${i + 1}`, channel: 'email' });
				expect(result.code).toMatch(/^SPRING-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
			}
			expect(new Set(issued.map((r) => r.code)).size).toBe(3);
			const [info] = await couponJson(store, { resource: 'code', operation: 'get', code: String(issued[0].code) });
			expect(info).toMatchObject({ found: true, state: 'active', customerId: 'c1', metadata: { order: 'o1' } });
		});

		test('Issue with an idempotency key returns the first result', async () => {
			const params = { resource: 'code', operation: 'issue', campaignId: 'spring', additionalFields: { idempotencyKey: 'order-77' } };
			const [first] = await couponJson(store, params);
			const [again] = await couponJson(store, params);
			expect(again.code).toBe(first.code);
		});

		test('Validate: a usable code gives the discount, a rejected one is data', async () => {
			await couponJson(store, { resource: 'campaign', operation: 'update', campaignId: 'spring', updateFields: { minOrderAmount: 20 } });
			const [issued] = await couponJson(store, { resource: 'code', operation: 'issue', campaignId: 'spring' });
			const validated = await couponJson(
				store,
				{
					resource: 'code',
					operation: 'validate',
					code: '={{ $json.code }}',
					additionalFields: { orderAmount: '={{ $json.amount }}', currency: 'EUR' },
				},
				[
					{ code: String(issued.code).toLowerCase().replace(/-/g, ' '), amount: 100 },
					{ code: String(issued.code), amount: 10 },
					{ code: 'SPRING-2222-2222', amount: 100 },
				],
			);
			expect(validated[0]).toMatchObject({ valid: true, code: issued.code, discountAmount: 15, remainingUses: 1 });
			expect(validated[1]).toMatchObject({ valid: false, reason: 'MIN_ORDER_NOT_MET' });
			expect(validated[2]).toMatchObject({ valid: false, reason: 'NOT_FOUND', message: 'No such code exists' });
		});

		test('Redeem: once, then the limit is data', async () => {
			const [issued] = await couponJson(store, { resource: 'code', operation: 'issue', campaignId: 'spring' });
			const results = await couponJson(
				store,
				{
					resource: 'code',
					operation: 'redeem',
					code: String(issued.code),
					additionalFields: { customerId: 'c9', orderAmount: 40, orderId: '={{ $json.orderId }}' },
				},
				[{ orderId: 'o1' }, { orderId: 'o2' }],
			);
			expect(results[0]).toMatchObject({ ok: true, code: issued.code, orderId: 'o1', discountAmount: 6 });
			expect(typeof results[0].redemptionId).toBe('string');
			expect(results[1]).toMatchObject({ ok: false, reason: 'CODE_LIMIT_REACHED' });
		});

		test('Reserve then Commit, chained by expression', async () => {
			const [issued] = await couponJson(store, { resource: 'code', operation: 'issue', campaignId: 'spring' });
			const wf = chain(
				couponNode('Reserve', {
					resource: 'code',
					operation: 'reserve',
					code: '={{ $json.code }}',
					additionalFields: { orderAmount: 50, ttlSeconds: 600, orderId: 'o-1' },
				}),
				couponNode('Commit', {
					resource: 'code',
					operation: 'commit',
					reservationId: '={{ $json.reservationId }}',
					additionalFields: { orderId: 'o-1' },
				}),
			);
			const run = await runWorkflow(wf, {
				nodeTypes: couponTypes(),
				credentials: { couponKitStoreApi: store },
				input: [{ json: { code: issued.code } }],
			});
			expect(run.run.status).toBe('success');
			expect(run.executed).toEqual(['Reserve', 'Commit']);
			expect(run.json('Reserve')[0]).toMatchObject({ ok: true, code: issued.code, discountAmount: 7.5 });
			expect(run.json('Commit')[0]).toMatchObject({ ok: true, code: issued.code, orderId: 'o-1' });
			const [info] = await couponJson(store, { resource: 'code', operation: 'get', code: String(issued.code) });
			expect(info).toMatchObject({ state: 'redeemed', redemptions: 1, reserved: 0 });
		});

		test('Reserve then Release gives the unit back', async () => {
			const [issued] = await couponJson(store, { resource: 'code', operation: 'issue', campaignId: 'spring' });
			const [held] = await couponJson(store, { resource: 'code', operation: 'reserve', code: String(issued.code) });
			expect(held).toMatchObject({ ok: true });
			const [info] = await couponJson(store, { resource: 'code', operation: 'get', code: String(issued.code) });
			expect(info).toMatchObject({ reserved: 1, remainingUses: 0 });
			const [released] = await couponJson(store, { resource: 'code', operation: 'release', reservationId: String(held.reservationId) });
			expect(released).toMatchObject({ ok: true, reservationId: held.reservationId });
			const [after] = await couponJson(store, { resource: 'code', operation: 'get', code: String(issued.code) });
			expect(after).toMatchObject({ reserved: 0, remainingUses: 1, state: 'active' });
			const [twice] = await couponJson(store, { resource: 'code', operation: 'release', reservationId: String(held.reservationId) });
			expect(twice).toMatchObject({ ok: false, reason: 'ALREADY_FINISHED' });
		});

		test('Roll Back a redemption', async () => {
			const [issued] = await couponJson(store, { resource: 'code', operation: 'issue', campaignId: 'spring' });
			const [redeemed] = await couponJson(store, { resource: 'code', operation: 'redeem', code: String(issued.code) });
			const [rolled] = await couponJson(store, {
				resource: 'code',
				operation: 'rollback',
				redemptionId: String(redeemed.redemptionId),
				additionalFields: { reason: 'refund' },
			});
			expect(rolled).toMatchObject({ ok: true, redemptionId: redeemed.redemptionId, code: issued.code });
			const [info] = await couponJson(store, { resource: 'code', operation: 'get', code: String(issued.code) });
			expect(info).toMatchObject({ state: 'active', redemptions: 0 });
		});

		test('Void, then the code is refused', async () => {
			const [issued] = await couponJson(store, { resource: 'code', operation: 'issue', campaignId: 'spring' });
			const [voided] = await couponJson(store, { resource: 'code', operation: 'void', code: String(issued.code), additionalFields: { reason: 'leaked' } });
			expect(voided).toMatchObject({ ok: true, code: issued.code });
			const [check] = await couponJson(store, { resource: 'code', operation: 'validate', code: String(issued.code) });
			expect(check).toMatchObject({ valid: false, reason: 'VOIDED' });
		});

		test('Get of an unknown code is data', async () => {
			expect(await couponJson(store, { resource: 'code', operation: 'get', code: 'SPRING-2222-3333' })).toEqual([
				{ found: false, code: 'SPRING-2222-3333' },
			]);
		});

		test('Bulk Generate as items', async () => {
			const codes = await couponJson(store, { resource: 'code', operation: 'bulkGenerate', campaignId: 'spring', count: 25, additionalFields: { batchSize: 10 } });
			expect(codes).toHaveLength(25);
			expect(new Set(codes.map((c) => c.code)).size).toBe(25);
			expect(codes[0]).toEqual({ code: expect.stringMatching(/^SPRING-/), campaignId: 'spring' });
		});

		test('Bulk Generate as a CSV file', async () => {
			const run = await runCoupon(store, {
				resource: 'code',
				operation: 'bulkGenerate',
				campaignId: 'spring',
				count: 12,
				output: 'file',
				binaryPropertyName: 'codes',
				additionalFields: { fileName: 'spring.csv' },
			});
			expect(run.error).toBeUndefined();
			expect(run.items).toHaveLength(1);
			expect(run.json[0]).toEqual({ campaignId: 'spring', count: 12, fileName: 'spring.csv' });
			const file = run.items[0].binary?.codes;
			expect(file).toMatchObject({ mimeType: 'text/csv', fileName: 'spring.csv' });
			const lines = Buffer.from(String(file?.data), 'base64').toString('utf8').trim().split('\r\n');
			expect(lines[0]).toBe('code,campaignId');
			expect(lines).toHaveLength(13);
			expect(lines[1]).toMatch(/^SPRING-[A-Z0-9]{4}-[A-Z0-9]{4},spring$/);
		});
	});

	test('Customer: Upsert creates, then updates', async () => {
		const [created] = await couponJson(store, {
			resource: 'customer',
			operation: 'upsert',
			customerId: 'ann',
			additionalFields: { email: 'Ann+Shop@Example.com', birthday: '1990-04-17', tags: 'vip', timeZone: 'Europe/Berlin' },
		});
		expect(created).toMatchObject({ id: 'ann', birthday: '1990-04-17', tags: ['vip'], timeZone: 'Europe/Berlin' });
		const [updated] = await couponJson(store, { resource: 'customer', operation: 'upsert', customerId: 'ann', additionalFields: { orderCount: 3 } });
		expect(updated).toMatchObject({ id: 'ann', orderCount: 3, birthday: '1990-04-17' });
	});

	describe('Analytics', () => {
		beforeEach(async () => {
			await couponJson(store, { resource: 'campaign', operation: 'create', campaignId: 'other', discountType: 'freeShipping' });
			const issued = await couponJson(
				store,
				{ resource: 'code', operation: 'issue', campaignId: '={{ $json.c }}', additionalFields: { channel: '={{ $json.ch }}' } },
				[{ c: 'spring', ch: 'email' }, { c: 'spring', ch: 'sms' }, { c: 'other', ch: 'email' }],
			);
			await couponJson(store, { resource: 'code', operation: 'redeem', code: String(issued[0].code), additionalFields: { orderAmount: 80 } });
		});

		test('Stats in total and grouped', async () => {
			const [totals] = await couponJson(store, { resource: 'analytics', operation: 'stats' });
			expect(totals).toMatchObject({ issued: 3, redeemed: 1, revenue: 80 });
			expect(totals.redemptionRate).toBeCloseTo(1 / 3);

			const byCampaign = await couponJson(store, { resource: 'analytics', operation: 'stats', groupBy: 'campaign' });
			expect(byCampaign.map((g) => [g.key, g.issued, g.redeemed]).sort()).toEqual([
				['other', 1, 0],
				['spring', 2, 1],
			]);
			expect(byCampaign[0].groupBy).toBe('campaign');

			const byChannel = await couponJson(store, { resource: 'analytics', operation: 'stats', groupBy: 'channel', filters: { campaignId: 'spring' } });
			expect(byChannel.filter((g) => Number(g.issued) > 0).map((g) => [g.key, g.issued]).sort()).toEqual([
				['email', 1],
				['sms', 1],
			]);
			const byDay = await couponJson(store, { resource: 'analytics', operation: 'stats', groupBy: 'day', filters: { timeZone: 'Europe/Berlin' } });
			expect(byDay).toHaveLength(1);
			expect(byDay[0].key).toMatch(/^\d{4}-\d{2}-\d{2}$/);
		});

		test('Events: items, filters, and pages with a cursor', async () => {
			const issuedEvents = await couponJson(store, {
				resource: 'analytics',
				operation: 'events',
				returnAll: true,
				filters: { types: ['issued'] },
			});
			expect(issuedEvents.map((e) => e.type)).toEqual(['issued', 'issued', 'issued']);

			const [page] = await couponJson(store, { resource: 'analytics', operation: 'events', limit: 2, output: 'page' });
			expect(page.count).toBe(2);
			const [rest] = await couponJson(store, {
				resource: 'analytics',
				operation: 'events',
				returnAll: true,
				output: 'page',
				filters: { after: String(page.cursor) },
			});
			const all = await couponJson(store, { resource: 'analytics', operation: 'events', returnAll: true });
			const seen = [...(page.events as IDataObject[]), ...(rest.events as IDataObject[])].map((e) => e.id);
			expect(seen).toEqual(all.map((e) => e.id));
		});
	});
});
