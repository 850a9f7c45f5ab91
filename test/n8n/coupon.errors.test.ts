// Errors per item, continueOnFail, the shared engine, and the store credential's test.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CredentialTestContext } from 'n8n-core';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { couponJson, runCoupon } from './helpers/run';
import { redisCredentials, sqliteCredentials } from './helpers/stores';
import { openEngineCount } from '../../core/hosts/engineCache';
import { Coupon } from '../../nodes/n8n/Coupon/Coupon.node';
import { releaseAllEngines } from '../../nodes/n8n/shared/store';

let store: ICredentialDataDecryptedObject;

beforeAll(async () => {
	store = sqliteCredentials();
	await couponJson(store, {
		resource: 'campaign',
		operation: 'create',
		campaignId: 'spring',
		discountType: 'percent',
		discountValue: 10,
	});
});

afterAll(releaseAllEngines);

describe('bad arguments', () => {
	test('a missing required value fails the item, naming the field', async () => {
		const run = await runCoupon(store, { resource: 'code', operation: 'issue', campaignId: '={{ $json.campaign }}' }, [
			{ campaign: 'spring' },
			{ campaign: '' },
		]);
		expect(run.error?.message).toBe('Campaign ID: is required');
		expect(run.error?.description).toBe('Check the "Campaign ID" parameter for item 1. Nothing was written.');
		expect(run.error?.context?.itemIndex).toBe(1);
		expect(run.result.run.status).toBe('error');
	});

	test('bad JSON in Metadata names the field', async () => {
		const run = await runCoupon(store, {
			resource: 'code',
			operation: 'issue',
			campaignId: 'spring',
			additionalFields: { metadata: '{not json' },
		});
		expect(run.error?.message).toMatch(/^Metadata: is not valid JSON/);
	});

	test('an id that was never returned by Coupon Kit', async () => {
		const run = await runCoupon(store, { resource: 'code', operation: 'commit', reservationId: 'made-up' });
		expect(run.error?.message).toBe('Reservation ID: "made-up" is not an id returned by Coupon Kit');
	});

	test('an unknown campaign in Issue', async () => {
		const run = await runCoupon(store, { resource: 'code', operation: 'issue', campaignId: 'nope' });
		expect(run.error?.message).toBe('campaign "nope" does not exist');
		expect(run.error?.description).toMatch(/Campaign → Create/);
	});

	test('the same idempotency key with other arguments', async () => {
		await couponJson(store, { resource: 'code', operation: 'issue', campaignId: 'spring', additionalFields: { idempotencyKey: 'k1', customerId: 'a' } });
		const run = await runCoupon(store, {
			resource: 'code',
			operation: 'issue',
			campaignId: 'spring',
			additionalFields: { idempotencyKey: 'k1', customerId: 'b' },
		});
		expect(run.error?.message).toMatch(/idempotencyKey "k1" was already used with different arguments/);
		expect(run.error?.description).toMatch(/new Idempotency Key/);
	});
});

describe('continueOnFail', () => {
	test('each failing item becomes an error item tied to it; the others go on', async () => {
		const run = await runCoupon(
			store,
			{ resource: 'code', operation: 'issue', campaignId: '={{ $json.campaign }}' },
			[{ campaign: 'spring' }, { campaign: '' }, { campaign: 'nope' }, { campaign: 'spring' }],
			{ onError: 'continueRegularOutput' },
		);
		expect(run.error).toBeUndefined();
		expect(run.result.run.status).toBe('success');
		expect(run.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(run.json[0]).toMatchObject({ ok: true, campaignId: 'spring' });
		expect(run.json[1]).toEqual({ error: 'Campaign ID: is required' });
		expect(run.json[2]).toEqual({ error: 'campaign "nope" does not exist' });
		expect(run.json[3]).toMatchObject({ ok: true, campaignId: 'spring' });
	});

	test('a broken store credential fails every item in words', async () => {
		const run = await runCoupon({ mode: 'redis', connection: 'hostPort', host: 'bad host', port: 6379 }, { resource: 'code', operation: 'get', code: 'X' }, [{}, {}], {
			onError: 'continueRegularOutput',
		});
		expect(run.json).toEqual([
			{ error: 'Coupon Kit Store credential: Host must be a host name or address (got "bad host")' },
			{ error: 'Coupon Kit Store credential: Host must be a host name or address (got "bad host")' },
		]);
	});
});

describe('store failures', () => {
	test('an unwritable SQLite folder says what to fix', async () => {
		// A regular file where a folder should be: refused even when the tests run as root.
		const dir = mkdtempSync(join(tmpdir(), 'ck-ro-'));
		const notAFolder = join(dir, 'plain-file');
		writeFileSync(notAFolder, 'x');
		const run = await runCoupon({ mode: 'embedded', path: join(notAFolder, 'c.db') }, { resource: 'code', operation: 'get', code: 'X' });
		expect(run.error?.message).toBe(`Could not open the embedded store at ${join(notAFolder, 'c.db')}`);
		expect(run.error?.description).toMatch(/Database File/);
	});

	test('an unreachable Redis says what to check', async () => {
		const run = await runCoupon(
			{ mode: 'redis', connection: 'url', url: 'redis://127.0.0.1:1' },
			{ resource: 'code', operation: 'get', code: 'X' },
		);
		expect(run.error?.message).toBe('Could not open the Redis server at 127.0.0.1:1');
		expect(run.error?.description).toMatch(/Check that Redis is running/);
	}, 30000);
});

describe('the open engine is shared', () => {
	test('many executions and items open the store once', async () => {
		const own = sqliteCredentials();
		const before = openEngineCount();
		await couponJson(own, { resource: 'campaign', operation: 'create', campaignId: 'x', discountType: 'freeShipping' });
		const afterFirst = openEngineCount();
		expect(afterFirst).toBe(before + 1);
		for (let i = 0; i < 3; i++) {
			await couponJson(own, { resource: 'code', operation: 'issue', campaignId: 'x' }, [{}, {}, {}]);
		}
		expect(openEngineCount()).toBe(afterFirst);
	});
});

describe('credential test (methods.credentialTest on the Coupon node)', () => {
	const nodeTest = () => {
		const description = new Coupon().nodeVersions[1].description;
		const credential = description.credentials?.find((c) => c.name === 'couponKitStoreApi');
		const name = String(credential?.testedBy);
		const fn = new Coupon().nodeVersions[1].methods?.credentialTest?.[name];
		if (!fn) throw new Error(`no credential test ${name}`);
		return async (data: ICredentialDataDecryptedObject) =>
			await fn.call(new CredentialTestContext(), { id: 'c1', name: 'Store', type: 'couponKitStoreApi', data });
	};

	test('an embedded store that opens', async () => {
		const result = await nodeTest()(sqliteCredentials());
		expect(result).toEqual({ status: 'OK', message: expect.stringMatching(/^Connected to the embedded store at .*coupons\.db \(0 campaigns\)$/) });
	});

	test('Redis that answers', async () => {
		const result = await nodeTest()(redisCredentials());
		expect(result.status).toBe('OK');
		expect(result.message).toMatch(/^Connected to the Redis server at 127\.0\.0\.1:\d+/);
	});

	test('a field that is wrong, in words', async () => {
		expect(await nodeTest()({ mode: 'redis', connection: 'url', url: 'http://example.com' })).toEqual({
			status: 'Error',
			message: 'Redis URL must start with redis:// or rediss:// (got "http://")',
		});
		expect(await nodeTest()({ mode: 'redis', connection: 'cluster', cluster: 'a:1, nonsense' })).toEqual({
			status: 'Error',
			message: 'Cluster Nodes each node must be host:port (got "nonsense")',
		});
	});

	test('a store that cannot be opened', async () => {
		const result = await nodeTest()({ mode: 'redis', connection: 'url', url: 'redis://127.0.0.1:1' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^Could not open the Redis server at 127\.0\.0\.1:1: /);
	}, 30000);

	test('the default file lives in the n8n user folder', async () => {
		const { defaultSqlitePath } = await import('../../nodes/n8n/shared/store');
		expect(defaultSqlitePath()).toBe(join(String(process.env.N8N_USER_FOLDER), '.n8n', 'coupon-kit.db'));
	});
});

describe('queue mode', () => {
	afterEach(() => {
		delete process.env.EXECUTIONS_MODE;
	});

	test('an embedded store in queue mode gets a warning hint; Redis does not', async () => {
		process.env.EXECUTIONS_MODE = 'queue';
		const embedded = await runCoupon(store, { resource: 'campaign', operation: 'get', campaignId: 'spring' });
		expect(embedded.result.run.data.resultData.runData.Coupon[0].hints).toEqual([
			expect.objectContaining({ type: 'warning', message: expect.stringMatching(/queue mode .* Choose Redis/) }),
		]);
		const redis = redisCredentials();
		await couponJson(redis, { resource: 'campaign', operation: 'create', campaignId: 'q', discountType: 'freeShipping' });
		const shared = await runCoupon(redis, { resource: 'campaign', operation: 'get', campaignId: 'q' });
		expect(shared.result.run.data.resultData.runData.Coupon[0].hints ?? []).toEqual([]);
	});
});
