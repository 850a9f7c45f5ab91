// Redis store: what only Redis has (hash slots, script loading, cursors across connections, failing
// fast), and one scripted run of every store operation compared with the SQLite store.
import { execFile, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { StoreError } from '../../core/errors';
import { CODE_CACHE_SIZE, openRedisStore, RedisStore } from '../../core/store/redis';
import { MAX_USE_BATCH } from '../../core/store/redis/batcher';
import { loadScripts } from '../../core/store/redis/scripts';
import { openSqliteStore } from '../../core/store/sqlite';
import type { CouponStore, EventDraft, LimitSnapshot, StoredCode } from '../../core/store/types';
import type { Campaign, LedgerEvent } from '../../core/types';
import { campaign, limitsOf, plainCode, T0 } from './fixtures';

interface PrivateRedis {
	url: string;
	port: number;
	pid: number;
	stop(): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const setup = require('../setup/redis') as {
	startRedis(extraArgs?: string[]): Promise<PrivateRedis>;
	freePort(): Promise<number>;
	waitForPort(port: number, timeoutMs: number): Promise<void>;
};

const MIN = 60_000;
const HOUR = 60 * MIN;

const url = (): string => {
	if (!process.env.REDIS_URL) throw new Error('REDIS_URL is not set (jest globalSetup starts redis-server)');
	return process.env.REDIS_URL;
};
const newPrefix = () => `ck-test:${randomUUID()}:`;

/**
 * Stores campaign `c` with its codes (a key stands for a plain unused code); `draftOf(0)` and `draftOf(1)`
 * give the two events.
 */
async function seed(store: CouponStore, c: Campaign, codes: Array<string | StoredCode>, draftOf: (n: number) => EventDraft): Promise<void> {
	await store.putCampaign(c, null, { ...draftOf(0), code: null, type: 'campaign_created', count: 1, reason: null });
	await store.insertGenerated({
		limits: limitsOf(c),
		codes: codes.map((code) => (typeof code === 'string' ? plainCode(c, code) : code)),
		now: T0,
		event: draftOf(1),
	});
}

/** How often Redis has run each command so far, scripts' own calls included (INFO commandstats). */
async function commandCalls(raw: Redis, ...commands: string[]): Promise<Record<string, number>> {
	const text = await raw.info('commandstats');
	return Object.fromEntries(commands.map((cmd) => [cmd, Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(text)?.[1] ?? 0)]));
}

/**
 * Drives every store operation through a fixed story and logs each answer. Ids are deterministic, so two
 * stores given the same story must log the same thing.
 */
async function story(store: CouponStore): Promise<Array<[string, unknown]>> {
	const log: Array<[string, unknown]> = [];
	let seq = 0;
	let now = T0;
	const id = (kind: string) => `${kind}-${String(++seq).padStart(4, '0')}`;
	const draft = (fields: Partial<EventDraft> = {}): EventDraft => ({
		id: id('ev'),
		at: new Date(now).toISOString(),
		campaignId: null,
		code: null,
		customerId: null,
		channel: null,
		amount: null,
		data: {},
		...fields,
	});
	const full = (type: LedgerEvent['type'], fields: Partial<EventDraft> = {}): LedgerEvent => ({
		...draft(fields),
		type,
		count: 1,
		reason: null,
	});
	const code = (c: Campaign, key: string, over: Partial<StoredCode> = {}): StoredCode => ({
		...plainCode(c, key, `${key.slice(0, 2)}-${key.slice(2)}`),
		channel: 'email',
		issuedAt: now,
		...over,
	});
	const step = async (label: string, p: Promise<unknown>) => {
		log.push([label, await p]);
	};

	// campaigns
	let a = campaign('spring', 1, { perCode: 2, perCustomer: 1 });
	const b = campaign('b{r}ace', 1, { issuance: 3 });
	await step('put a', store.putCampaign(a, null, full('campaign_created', { campaignId: a.id })));
	await step('put a again', store.putCampaign(a, null, full('campaign_created', { campaignId: a.id })));
	await step('update a, wrong version', store.putCampaign({ ...a, version: 3 }, 2, full('campaign_updated', { campaignId: a.id })));
	const a1 = a;
	a = { ...campaign('spring', 2, { perCode: 2, perCustomer: 1, total: 7 }) };
	await step('update a', store.putCampaign(a, 1, full('campaign_updated', { campaignId: a.id })));
	await step('put b', store.putCampaign(b, null, full('campaign_created', { campaignId: b.id })));
	await step('get a', store.getCampaign('spring'));
	await step('get missing', store.getCampaign('nope'));
	await step('list', store.listCampaigns());

	// issue
	const issue = (c: Campaign, sc: StoredCode, idem?: { key: string; fingerprint: string }, limits = limitsOf(c)) =>
		store.issue({ limits, code: sc, now, event: draft({ campaignId: c.id, channel: sc.channel }), idempotency: idem });
	for (const key of ['AA11', 'AA12', 'AA13', 'AA14', 'AA15']) await step(`issue ${key}`, issue(a, code(a, key)));
	await step('issue assigned', issue(a, code(a, 'AA20', { customerId: 'c1', email: 'ann@example.com', metadata: { tier: 'gold' } })));
	await step('issue expiring', issue(a, code(a, 'AA21', { expiresAt: now + HOUR })));
	await step('issue idem', issue(a, code(a, 'AA30'), { key: 'i1', fingerprint: 'f1' }));
	await step('issue idem replay', issue(a, code(a, 'AA31'), { key: 'i1', fingerprint: 'f1' }));
	await step('issue idem conflict', issue(a, code(a, 'AA32'), { key: 'i1', fingerprint: 'other' }));
	await step('issue stale', issue(a, code(a, 'AA33'), undefined, limitsOf(a1)));
	await step('issue duplicate elsewhere', issue(b, code(b, 'AA11')));
	await step('code AA31 unused', store.campaignOfCode('AA31'));

	// generate, issuance budget
	const gen = (c: Campaign, keys: string[]) =>
		store.insertGenerated({ limits: limitsOf(c), codes: keys.map((k) => code(c, k)), now, event: draft({ campaignId: c.id }) });
	await step('generate b', gen(b, ['BB01', 'AA12', 'BB02']));
	await step('issue b', issue(b, code(b, 'BB03')));
	await step('generate b over budget', gen(b, ['BB04']));
	await step('issue b over budget', issue(b, code(b, 'BB05'), { key: 'i2', fingerprint: 'f2' }));
	await step('issued a', store.issuedCount('spring'));
	await step('issued b', store.issuedCount('b{r}ace'));
	await step('issued unknown', store.issuedCount('nope'));

	// redeem
	const use = (
		mode: 'redeem' | 'reserve',
		c: Campaign,
		key: string,
		who: { customerId?: string; email?: string } = {},
		more: { idem?: { key: string; fingerprint: string }; orderId?: string; amount?: number; hold?: number; limits?: LimitSnapshot } = {},
	) => {
		const customerKeys = [...(who.customerId ? [`id:${who.customerId}`] : []), ...(who.email ? [`email:${who.email}`] : [])];
		const req = {
			limits: more.limits ?? limitsOf(c),
			codeKey: key,
			customerKeys,
			customerId: who.customerId ?? null,
			email: who.email ?? null,
			orderId: more.orderId ?? null,
			unitId: `${c.id}~${id('unit')}`,
			now,
			event: draft({ campaignId: c.id, code: `${key.slice(0, 2)}-${key.slice(2)}`, customerId: who.customerId ?? who.email ?? null, channel: 'web', amount: more.amount ?? null }),
			idempotency: more.idem,
		};
		return mode === 'redeem' ? store.redeem(req) : store.reserve({ ...req, holdUntil: now + (more.hold ?? 15 * MIN) });
	};
	const r1 = (await use('redeem', a, 'AA11', { customerId: 'c2' }, { orderId: 'o1', amount: 40.1 })) as { unitId: string };
	log.push(['redeem AA11', r1]);
	await step('redeem AA11 by c3', use('redeem', a, 'AA11', { customerId: 'c3' }, { amount: 20.2 }));
	await step('redeem AA11 third', use('redeem', a, 'AA11', { customerId: 'c4' }));
	await step('redeem c2 again', use('redeem', a, 'AA12', { customerId: 'c2' }));
	await step('redeem unknown', use('redeem', a, 'ZZ99'));
	await step('redeem other campaign', use('redeem', a, 'BB01'));
	await step('redeem assigned, wrong customer', use('redeem', a, 'AA20', { customerId: 'c9' }));
	await step('redeem assigned, by email', use('redeem', a, 'AA20', { email: 'ann@example.com' }, { amount: 30.3 }));
	await step('redeem stale', use('redeem', a, 'AA12', {}, { limits: limitsOf(a1) }));
	await step('redeem idem', use('redeem', a, 'AA13', {}, { idem: { key: 'r1', fingerprint: 'g1' }, amount: 5 }));
	await step('redeem idem replay', use('redeem', a, 'AA13', {}, { idem: { key: 'r1', fingerprint: 'g1' }, amount: 5 }));
	await step('redeem idem conflict', use('redeem', a, 'AA13', {}, { idem: { key: 'r1', fingerprint: 'g2' } }));

	// reserve, commit, release
	const h1 = (await use('reserve', a, 'AA14', { customerId: 'c5', email: 'c5@example.com' }, { orderId: 'o5', amount: 12.5 })) as {
		unitId: string;
	};
	log.push(['reserve AA14', h1]);
	await step('usage while held', store.usage({ campaignId: 'spring', codeKey: 'AA14', customerKeys: ['id:c5'], now }));
	await step('c5 held limit', use('redeem', a, 'AA15', { email: 'c5@example.com' }));
	await step('commit AA14', store.commit({ unitId: h1.unitId, now, event: draft({ campaignId: 'spring' }) }));
	await step('commit AA14 again', store.commit({ unitId: h1.unitId, now, event: draft({ campaignId: 'spring' }) }));
	await step('release committed', store.release({ unitId: h1.unitId, now, event: draft({ campaignId: 'spring' }) }));
	await step('commit a redemption', store.commit({ unitId: r1.unitId, now, event: draft({ campaignId: 'spring' }) }));
	const h2 = (await use('reserve', a, 'AA15', { customerId: 'c6' }, { idem: { key: 'h2', fingerprint: 'x' } })) as { unitId: string };
	log.push(['reserve AA15', h2]);
	await step('rollback a held unit', store.rollback({ unitId: h2.unitId, now, event: draft({ campaignId: 'spring' }) }));
	await step('release AA15', store.release({ unitId: h2.unitId, now, event: draft({ campaignId: 'spring' }), idempotency: { key: 'rel', fingerprint: 'y' } }));
	await step('release AA15 replay', store.release({ unitId: h2.unitId, now, event: draft({ campaignId: 'spring' }), idempotency: { key: 'rel', fingerprint: 'y' } }));
	await step('release AA15 again', store.release({ unitId: h2.unitId, now, event: draft({ campaignId: 'spring' }) }));
	await step('rollback a released unit', store.rollback({ unitId: h2.unitId, now, event: draft({ campaignId: 'spring' }) }));
	const h3 = (await use('reserve', a, 'AA15', { customerId: 'c7' }, { hold: 5 * MIN, orderId: 'o7' })) as { unitId: string };
	const h4 = (await use('reserve', a, 'AA21', { customerId: 'c8' }, { hold: 5 * MIN })) as { unitId: string };
	now += 5 * MIN;
	await step('usage after lapse', store.usage({ campaignId: 'spring', codeKey: 'AA15', customerKeys: ['id:c7', 'id:c1'], now }));
	await step('commit lapsed', store.commit({ unitId: h3.unitId, now, event: draft({ campaignId: 'spring' }) }));
	await step('release lapsed', store.release({ unitId: h4.unitId, now, event: draft({ campaignId: 'spring' }) }));
	await step('campaign total', use('redeem', a, 'AA15', { customerId: 'c10' }, { amount: 1 }));
	await step('campaign total, last one', use('redeem', a, 'AA15', { customerId: 'c13' }));
	await step('campaign total reached', use('redeem', a, 'AA14', { customerId: 'c14' }));
	now += HOUR;
	await step('redeem expired', use('redeem', a, 'AA21', { customerId: 'c11' }));
	await step('expire due', store.expireDue({ now, eventIds: [id('exp'), id('exp')] }));
	await step('expire due again', store.expireDue({ now, eventIds: [id('exp')] }));

	// roll back
	await step('rollback AA11', store.rollback({ unitId: r1.unitId, now, event: draft({ campaignId: 'spring' }), reason: 'refund' }));
	await step('rollback AA11 again', store.rollback({ unitId: r1.unitId, now, event: draft({ campaignId: 'spring' }) }));
	await step('rollback committed AA14', store.rollback({ unitId: h1.unitId, now, event: draft({ campaignId: 'spring' }) }));
	await step('rollback unknown', store.rollback({ unitId: 'spring~nothing', now, event: draft({ campaignId: 'spring' }) }));
	await step('rollback no campaign', store.rollback({ unitId: 'garbage', now, event: draft(), idempotency: { key: 'g', fingerprint: 'g' } }));
	await step('find rollback no campaign', store.findIdempotent('rollback', '', 'g'));

	// void
	await step('void AA12', store.void({ codeKey: 'AA12', now, event: draft({ campaignId: 'spring' }), idempotency: { key: 'v1', fingerprint: 'v' } }));
	await step('void AA12 replay', store.void({ codeKey: 'AA12', now, event: draft({ campaignId: 'spring' }), idempotency: { key: 'v1', fingerprint: 'v' } }));
	await step('void AA12 again', store.void({ codeKey: 'AA12', now, event: draft({ campaignId: 'spring' }) }));
	await step('void assigned', store.void({ codeKey: 'AA20', now, event: draft({ campaignId: 'spring' }) }));
	await step('void unknown', store.void({ codeKey: 'QQ00', now, event: draft(), idempotency: { key: 'v2', fingerprint: 'v' } }));
	await step('redeem voided', use('redeem', a, 'AA12', { customerId: 'c12' }));

	// codes
	for (const key of ['AA11', 'AA12', 'AA14', 'AA20', 'BB01', 'QQ00']) {
		await step(`campaign of ${key}`, store.campaignOfCode(key));
		await step(`get ${key}`, store.getCode(key, now));
	}
	await step('usage of a code elsewhere', store.usage({ campaignId: 'spring', codeKey: 'BB02', customerKeys: [], now }));

	// idempotency records
	for (const [op, campaignId, key] of [
		['issue', 'spring', 'i1'],
		['issue', 'b{r}ace', 'i2'],
		['redeem', 'spring', 'r1'],
		['reserve', 'spring', 'h2'],
		['release', 'spring', 'rel'],
		['void', 'spring', 'v1'],
		['void', '', 'v2'],
		['redeem', 'b{r}ace', 'r1'],
	]) {
		await step(`find ${op} ${campaignId} ${key}`, store.findIdempotent(op, campaignId, key));
	}

	// plain events, abuse guard
	now += 10 * MIN;
	await step('delivered', store.appendEvent(full('delivered', { campaignId: 'spring', code: 'AA-13', channel: 'sms' })));
	await step('campaign-less event', store.appendEvent(full('expired', { code: 'AA-21', amount: 1.5, data: { n: 1 } })));
	const abuse = { threshold: 2, windowMs: 10 * MIN, cooldownMs: 15 * MIN };
	const reject = (keys: string[], campaignId: string | null = null) =>
		store.recordRejection({
			event: draft({ campaignId, code: 'XX-99', customerId: 'c20', channel: 'web', data: { source: '10.0.0.1' } }),
			reason: 'NOT_FOUND',
			abuseKeys: keys,
			abuse,
			now,
			blockEventIds: keys.map(() => id('block')),
		});
	await step('reject 1', reject(['customer:id:c20', 'source:10.0.0.1']));
	await step('blocked after 1', store.blockedUntil(['customer:id:c20', 'source:10.0.0.1'], now));
	now += MIN;
	await step('reject 2', reject(['customer:id:c20', 'source:10.0.0.1'], 'spring'));
	await step('blocked after 2', store.blockedUntil(['source:10.0.0.1', 'customer:id:c21'], now));
	const blockedKeys = ['customer:id:c21', 'source:10.0.0.1'];
	await step('usage, blocked', store.usage({ campaignId: 'spring', codeKey: 'AA13', customerKeys: ['id:c21'], now, abuseKeys: blockedKeys }));
	await step('usage, other keys', store.usage({ campaignId: 'spring', codeKey: 'AA13', customerKeys: ['id:c21'], now, abuseKeys: ['customer:id:c21'] }));
	await step('reject while blocked', reject(['source:10.0.0.1']));
	await step('reject, no guess', reject([]));
	// a keyed refusal: kept once; the same key again answers the first record and writes nothing
	const keyed = (reason: 'MIN_ORDER_NOT_MET' | 'NOT_STARTED', fingerprint: string) =>
		store.recordRejection({
			event: draft({ campaignId: 'spring', code: 'AA-13', customerId: 'c20', channel: 'web' }),
			reason,
			abuseKeys: [],
			abuse,
			now,
			blockEventIds: [],
			idempotency: { op: 'redeem', key: 'k-rej', fingerprint },
		});
	await step('keyed reject', keyed('MIN_ORDER_NOT_MET', 'f1'));
	await step('keyed reject again', keyed('MIN_ORDER_NOT_MET', 'f1'));
	await step('keyed reject, other call', keyed('NOT_STARTED', 'f2'));
	await step('find keyed reject', store.findIdempotent('redeem', 'spring', 'k-rej'));
	now += 16 * MIN;
	await step('blocked after cool-down', store.blockedUntil(['source:10.0.0.1'], now));
	await step('usage after cool-down', store.usage({ campaignId: 'spring', codeKey: 'AA13', customerKeys: [], now, abuseKeys: blockedKeys }));

	// customers
	await step('customer new', store.upsertCustomer({ id: 'c1', email: 'ann@example.com', tags: ['vip'] }, now, full('customer_upserted', { customerId: 'c1' })));
	now += MIN;
	await step('customer merge', store.upsertCustomer({ id: 'c1', orderCount: 3, metadata: { a: 1 } }, now, full('customer_upserted', { customerId: 'c1' })));
	await step('customer two', store.upsertCustomer({ id: 'c2', email: 'bob@example.com' }, now, full('customer_upserted', { customerId: 'c2' })));
	await step('customer by id', store.getCustomer({ id: 'c1' }));
	await step('customer by email', store.getCustomer({ email: 'bob@example.com' }));
	now += MIN;
	await step('customer new email', store.upsertCustomer({ id: 'c2', email: 'bobby@example.com' }, now, full('customer_upserted', { customerId: 'c2' })));
	await step('customer by old email', store.getCustomer({ email: 'bob@example.com' }));
	await step('customer by new email', store.getCustomer({ email: 'bobby@example.com' }));
	await step('customer unknown', store.getCustomer({ id: 'nobody' }));

	// ledger and stats
	const pages: LedgerEvent[][] = [];
	let after: string | undefined;
	for (;;) {
		const page = await store.events({ after, limit: 7 });
		if (page.events.length === 0) {
			expect(page.cursor).toBe(after);
			break;
		}
		pages.push(page.events);
		after = page.cursor;
	}
	log.push(['events', pages.flat()]);
	log.push(['page sizes', pages.map((p) => p.length)]);
	await step('events of b', store.events({ limit: 100, campaignId: 'b{r}ace' }).then((p) => p.events));
	await step('events of a, some types', store.events({ limit: 100, campaignId: 'spring', types: ['redeemed', 'rolled_back'] }).then((p) => p.events));
	await step('events, rejections', store.events({ limit: 100, types: ['rejected', 'blocked'] }).then((p) => p.events));
	await step('stats', store.statRows({ fromHour: T0 - 24 * HOUR, toHour: T0 + 24 * HOUR }));
	await step('audit a', store.audit('spring'));
	await step('audit b', store.audit('b{r}ace'));
	await step('audit unknown', store.audit('nope'));
	await step('stats of a, one hour', store.statRows({ campaignId: 'spring', fromHour: T0, toHour: T0 + HOUR }));
	return log;
}

/** Each story event, summed per hour, campaign, channel and type, as statRows must report it. */
function statsFromEvents(events: LedgerEvent[]) {
	const rows = new Map<string, { hour: number; campaignId: string | null; channel: string | null; type: string; count: number; amount: number }>();
	for (const e of events) {
		const hour = Math.floor(Date.parse(e.at) / HOUR) * HOUR;
		const k = JSON.stringify([hour, e.campaignId, e.channel, e.type]);
		const row = rows.get(k) ?? { hour, campaignId: e.campaignId, channel: e.channel, type: e.type, count: 0, amount: 0 };
		row.count += e.count;
		row.amount += e.amount ?? 0;
		rows.set(k, row);
	}
	return [...rows.values()];
}

function byKey<T extends { hour: number; campaignId: string | null; channel: string | null; type: string }>(rows: T[]): T[] {
	const k = (r: T) => JSON.stringify([r.hour, r.campaignId ?? '', r.channel ?? '', r.type]);
	return [...rows].sort((x, y) => (k(x) < k(y) ? -1 : k(x) > k(y) ? 1 : 0));
}

/** A plain ledger event `e<n>` for the events() tests: a delivery at T0 unless told otherwise. */
function plainEvent(n: number, fields: Partial<LedgerEvent> = {}): LedgerEvent {
	return {
		id: `e${n}`,
		type: 'delivered',
		at: new Date(T0).toISOString(),
		campaignId: null,
		code: null,
		customerId: null,
		channel: null,
		count: 1,
		amount: null,
		reason: null,
		data: {},
		...fields,
	};
}

async function slotOf(node: Redis, key: string): Promise<number> {
	return Number(await node.call('CLUSTER', 'KEYSLOT', key));
}

describe('Redis store', () => {
	const stores: RedisStore[] = [];
	const open = async (options: Partial<Parameters<typeof openRedisStore>[0]> = {}) => {
		const store = await openRedisStore({ type: 'redis', url: url(), keyPrefix: newPrefix(), ...options });
		stores.push(store);
		return store;
	};
	afterAll(async () => {
		await Promise.all(stores.map((s) => s.close()));
	});

	it('answers every operation as the SQLite store does', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'ck-redis-vs-sqlite-'));
		try {
			const sqlite = await openSqliteStore({ type: 'sqlite', path: join(dir, 'story.db') });
			const expected = await story(sqlite);
			await sqlite.close();
			const actual = await story(await open());
			expect(actual.map(([label]) => label)).toEqual(expected.map(([label]) => label));
			for (let i = 0; i < expected.length; i++) expect([actual[i][0], actual[i][1]]).toEqual(expected[i]);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it("reads a caller's live block with a validate's view of the code", async () => {
		const log = new Map(await story(await open()));
		const blockEnd = log.get('blocked after 2') as number;
		expect(blockEnd).toEqual(expect.any(Number));
		expect(log.get('usage, blocked')).toMatchObject({ code: { key: 'AA13' }, blockedUntil: blockEnd });
		expect(log.get('usage, other keys')).toMatchObject({ code: { key: 'AA13' }, blockedUntil: null });
		expect(log.get('usage after cool-down')).toMatchObject({ blockedUntil: null });
		// a keyed refusal is kept once: the same key answers it again, for the same call or another
		expect(log.get('keyed reject')).toEqual({ blockedKeys: [] });
		const kept = { fingerprint: 'f1', outcome: { status: 'rejected', reason: 'MIN_ORDER_NOT_MET' } };
		expect(log.get('keyed reject again')).toEqual({ blockedKeys: [], prior: kept });
		expect(log.get('keyed reject, other call')).toEqual({ blockedKeys: [], prior: kept });
		expect(log.get('find keyed reject')).toEqual(kept);
		const events = log.get('events') as LedgerEvent[];
		expect(events.filter((e) => e.type === 'rejected' && e.code === 'AA-13').map((e) => e.reason)).toEqual(['MIN_ORDER_NOT_MET']);
	});

	it('keeps stats equal to what the ledger says', async () => {
		const store = await open();
		const log = new Map(await story(store));
		const events = log.get('events') as LedgerEvent[];
		const stats = log.get('stats') as ReturnType<typeof statsFromEvents>;
		expect(byKey(stats)).toEqual(byKey(statsFromEvents(events)));
		expect(stats.find((r) => r.type === 'rolled_back')?.amount).toBe(-40.1 + -12.5);
	});

	// These count commands with INFO commandstats, so they run on a Redis no other test file shares.
	describe('on a Redis of its own', () => {
		let own: PrivateRedis;
		beforeAll(async () => {
			own = await setup.startRedis();
		});
		afterAll(async () => {
			// the stores on it close before it stops
			await Promise.all(stores.splice(0).map((s) => s.close()));
			await own.stop();
		});
		const openOwn = () => open({ url: own.url });

		it('sends redeems made in one tick as one script call, each decided after the ones before it', async () => {
			const store = await openOwn();
			const c = campaign('batch', 1, { perCode: 3, total: 50 });
			const draftOf = (n: number, codeKey: string): EventDraft => ({
				id: `ev-${n}`, at: new Date(T0).toISOString(), campaignId: c.id, code: codeKey, customerId: `c${n}`, channel: 'web', amount: 10, data: {},
			});
			await seed(store, c, ['AAAA', 'BBBB'], (n) => draftOf(n, ''));
			// A key of the campaign's slot that is no hash: the call that meets it fails, alone.
			const raw = new Redis(own.url);
			try {
				await raw.set(store.keys.slot(c.id).code('CCCC'), 'not a hash');
				const scriptCalls = async () => (await commandCalls(raw, 'evalsha')).evalsha;
				const redeem = (n: number, codeKey: string, limits = limitsOf(c)) =>
					store.redeem({
						limits, codeKey, customerKeys: [`id:c${n}`], customerId: `c${n}`, email: null, orderId: null,
						unitId: `${c.id}~u${n}`, now: T0, event: draftOf(n, codeKey),
					}).catch((err: unknown) => err);
				// the script is on the server and on each connection from here on (a missing code writes nothing)
				for (let i = 0; i < 3; i++) expect(await redeem(99, 'ZZZZ')).toEqual({ status: 'missing' });
				const before = await scriptCalls();
				const answers = await Promise.all([
					...Array.from({ length: 5 }, (_, i) => redeem(10 + i, 'AAAA')),
					redeem(20, 'CCCC'),
					redeem(21, 'BBBB'),
					redeem(22, 'ZZZZ'),
					redeem(23, 'BBBB', { ...limitsOf(c), campaignVersion: 7 }),
				]);
				const statuses = answers.map((a) => (a instanceof Error ? 'error' : (a as { status: string; reason?: string }).reason ?? (a as { status: string }).status));
				expect(statuses).toEqual([
					'redeemed', 'redeemed', 'redeemed', 'CODE_LIMIT_REACHED', 'CODE_LIMIT_REACHED', 'error', 'redeemed', 'missing', 'stale',
				]);
				expect(answers[5]).toBeInstanceOf(StoreError);
				// one call for the campaign's version 1, one for the call made with a version it does not have
				expect((await scriptCalls()) - before).toBe(2);
				expect(await store.usage({ campaignId: c.id, codeKey: 'AAAA', customerKeys: ['id:c10'], now: T0 })).toMatchObject({
					code: { redemptions: 3 },
					customerUsed: 1,
					campaignUsed: 4,
				});
				const events = (await store.events({ limit: 100, campaignId: c.id })).events.filter((e) => e.type === 'redeemed' || e.type === 'rejected');
				expect(events.map((e) => [e.id, e.type])).toEqual([
					['ev-10', 'redeemed'], ['ev-11', 'redeemed'], ['ev-12', 'redeemed'], ['ev-13', 'rejected'], ['ev-14', 'rejected'], ['ev-21', 'redeemed'],
				]);
				const stats = await store.statRows({ campaignId: c.id, fromHour: T0, toHour: T0 + HOUR });
				expect(stats.find((r) => r.type === 'redeemed')).toMatchObject({ count: 4, amount: 40 });
			} finally {
				raw.disconnect();
			}
		});

		it('splits a busy tick into runs of MAX_USE_BATCH calls, each run seeing what the runs before it did', async () => {
			const store = await openOwn();
			const calls = MAX_USE_BATCH * 2 + 5;
			const perCode = MAX_USE_BATCH + 3;
			const c = campaign('runs', 1, { perCode, total: null });
			const draftOf = (n: number): EventDraft => ({
				id: `run-${n}`, at: new Date(T0).toISOString(), campaignId: c.id, code: 'RUNS', customerId: `c${n}`, channel: null, amount: null, data: {},
			});
			await seed(store, c, ['RUNS'], draftOf);
			const raw = new Redis(own.url);
			try {
				const scriptCalls = async () => (await commandCalls(raw, 'evalsha')).evalsha;
				const redeem = (n: number) =>
					store.redeem({
						limits: limitsOf(c), codeKey: 'RUNS', customerKeys: [`id:c${n}`], customerId: `c${n}`, email: null, orderId: null,
						unitId: `${c.id}~u${n}`, now: T0, event: draftOf(n),
					});
				// the script is on the server and on each connection from here on
				for (let i = 0; i < 3; i++) await redeem(2 + i);
				const before = await scriptCalls();
				const answers = await Promise.all(Array.from({ length: calls }, (_, i) => redeem(10 + i)));
				expect((await scriptCalls()) - before).toBe(Math.ceil(calls / MAX_USE_BATCH));
				// three uses went before; the rest of the limit goes to the first calls, in the order they were made
				const redeemed = answers.map((a) => a.status === 'redeemed');
				expect(redeemed.filter(Boolean)).toHaveLength(perCode - 3);
				expect(redeemed.indexOf(false)).toBe(perCode - 3);
				expect(await store.usage({ campaignId: c.id, codeKey: 'RUNS', customerKeys: [], now: T0 })).toMatchObject({
					code: { redemptions: perCode },
					campaignUsed: perCode,
				});
			} finally {
				raw.disconnect();
			}
		});

		it('reads the blocks asked for in one tick with one MGET, each caller getting the latest live end of its own keys', async () => {
			const store = await openOwn();
			const raw = new Redis(own.url);
			try {
				const now = T0;
				await raw.set(store.keys.abuse('id:late').blockedUntil, String(now + 5000));
				await raw.set(store.keys.abuse('id:later').blockedUntil, String(now + 9000));
				await raw.set(store.keys.abuse('id:over').blockedUntil, String(now - 1));
				const calls = () => commandCalls(raw, 'mget', 'get');
				await store.blockedUntil(['id:none'], now);
				const before = await calls();
				const answers = await Promise.all([
					store.blockedUntil(['id:none'], now),
					store.blockedUntil(['id:late'], now),
					store.blockedUntil(['id:none', 'id:later', 'id:late'], now),
					store.blockedUntil(['id:over'], now),
					store.blockedUntil(['id:late'], now + 5000),
				]);
				expect(answers).toEqual([null, now + 5000, now + 9000, null, null]);
				expect(await calls()).toEqual({ mget: before.mget + 1, get: before.get });
			} finally {
				raw.disconnect();
			}
		});

		it('looks up the campaigns of the codes asked for in one tick, and the blocks, with one MGET', async () => {
			const writer = await openOwn();
			const draftOf = (n: number, campaignId: string): EventDraft => ({
				id: `tick-ev-${n}`, at: new Date(T0).toISOString(), campaignId, code: null, customerId: null, channel: null, amount: null, data: {},
			});
			await seed(writer, campaign('tick-a', 1), ['TAAA'], (n) => draftOf(n, 'tick-a'));
			await seed(writer, campaign('tick-b', 1), ['TBBB'], (n) => draftOf(2 + n, 'tick-b'));
			// another process on the same keys: nothing of these codes in its memory
			const reader = await open({ url: own.url, keyPrefix: writer.keys.prefix });
			const raw = new Redis(own.url);
			try {
				await raw.set(reader.keys.abuse('id:tick').blockedUntil, String(T0 + 5000));
				const calls = () => commandCalls(raw, 'mget', 'get');
				const before = await calls();
				const answers = await Promise.all([
					reader.campaignOfCode('TAAA'),
					reader.campaignOfCode('TBBB'),
					reader.campaignOfCode('TNNN'),
					reader.blockedUntil(['id:tick', 'id:none'], T0),
					reader.campaignOfCode('TAAA'),
				]);
				expect(answers).toEqual(['tick-a', 'tick-b', null, T0 + 5000, 'tick-a']);
				expect(await calls()).toEqual({ mget: before.mget + 1, get: before.get });
				// alone in its tick, a lookup is a plain GET
				expect(await reader.campaignOfCode('TBBB')).toBe('tick-b');
				expect(await calls()).toEqual({ mget: before.mget + 1, get: before.get + 1 });
			} finally {
				raw.disconnect();
			}
		});

		it('remembers the campaign of the codes it saw last, and still finds older codes with one GET', async () => {
			const store = await openOwn();
			const c = campaign('cache', 1);
			const draftOf = (n: number): EventDraft => ({
				id: `cache-ev-${n}`, at: new Date(T0).toISOString(), campaignId: c.id, code: null, customerId: null, channel: null, amount: null, data: {},
			});
			await store.putCampaign(c, null, { ...draftOf(0), type: 'campaign_created', count: 1, reason: null });
			const keys = Array.from({ length: CODE_CACHE_SIZE + 1 }, (_, i) => `K${String(i).padStart(6, '0')}`);
			for (let i = 0; i < keys.length; i += 1000) {
				const codes = keys.slice(i, i + 1000).map((key) => plainCode(c, key));
				await store.insertGenerated({ limits: limitsOf(c), codes, now: T0, event: draftOf(1 + i) });
			}
			// reading a code is seeing it: one more code than the cache holds, oldest first
			for (let i = 0; i < keys.length; i += 500) await Promise.all(keys.slice(i, i + 500).map((key) => store.getCode(key, T0)));
			const raw = new Redis(own.url);
			try {
				const gets = async () => (await commandCalls(raw, 'get')).get;
				const before = await gets();
				expect(await store.campaignOfCode(keys[keys.length - 1])).toBe(c.id);
				expect(await gets()).toBe(before);
				expect(await store.campaignOfCode(keys[0])).toBe(c.id);
				expect(await gets()).toBe(before + 1);
				expect(await store.campaignOfCode('K999999')).toBeNull();
			} finally {
				raw.disconnect();
			}
		});

		it('reads the use of the codes asked for in one tick with one script call per campaign; a call that fails fails alone', async () => {
			const store = await openOwn();
			const a = campaign('reads-a', 1, { perCustomer: 2 });
			const b = campaign('reads-b', 1);
			const draftOf = (n: number, campaignId: string): EventDraft => ({
				id: `reads-ev-${n}`, at: new Date(T0).toISOString(), campaignId, code: null, customerId: null, channel: null, amount: null, data: {},
			});
			await seed(store, a, ['RAAA', 'RBBB'], (n) => draftOf(n, a.id));
			await seed(store, b, ['RCCC'], (n) => draftOf(2 + n, b.id));
			const redeemed = await store.redeem({
				limits: limitsOf(a), codeKey: 'RAAA', customerKeys: ['id:ann'], customerId: 'ann', email: null, orderId: null, unitId: `${a.id}~r1`, now: T0,
				event: { ...draftOf(4, a.id), code: 'RAAA', customerId: 'ann' },
			});
			expect(redeemed).toMatchObject({ status: 'redeemed' });
			const raw = new Redis(own.url);
			try {
				// a code key of campaign a's slot that is no hash: the read that meets it fails, alone
				await raw.set(store.keys.slot(a.id).code('RBAD'), 'not a hash');
				// a connection's first call of a script sends its source (EVAL), the rest its SHA
				const scriptCalls = async () => {
					const n = await commandCalls(raw, 'evalsha', 'eval');
					return n.evalsha + n.eval;
				};
				const before = await scriptCalls();
				const read = (c: Campaign, codeKey: string, customerKeys: string[]) =>
					store.usage({ campaignId: c.id, codeKey, customerKeys, now: T0 + MIN }).catch((e: unknown) => e);
				const [first, second, bad, third] = await Promise.all([
					read(a, 'RAAA', ['id:ann']),
					read(a, 'RBBB', ['id:bob', 'id:ann']),
					read(a, 'RBAD', []),
					read(b, 'RCCC', []),
				]);
				expect(await scriptCalls()).toBe(before + 2);
				expect(first).toMatchObject({ code: { key: 'RAAA', campaignId: a.id, redemptions: 1 }, customerUsed: 1, campaignUsed: 1 });
				expect(second).toMatchObject({ code: { key: 'RBBB', redemptions: 0 }, customerUsed: 1, campaignUsed: 1 });
				expect(bad).toBeInstanceOf(StoreError);
				expect((bad as StoreError).message).toMatch(/WRONGTYPE/);
				expect(third).toMatchObject({ code: { key: 'RCCC', campaignId: b.id, redemptions: 0 }, customerUsed: 0, campaignUsed: 0 });
			} finally {
				raw.disconnect();
			}
		});

		it('counts no holds for a validate while none of the campaign can be live, and counts them once one can', async () => {
			const store = await openOwn();
			const c = campaign('holds', 1, { perCode: 3, perCustomer: 3, total: 10 });
			const draftOf = (n: number): EventDraft => ({
				id: `holds-ev-${n}`, at: new Date(T0).toISOString(), campaignId: c.id, code: 'HOLD', customerId: 'ann', channel: null, amount: null, data: {},
			});
			await seed(store, c, ['HOLD'], draftOf);
			const use = { limits: limitsOf(c), codeKey: 'HOLD', customerKeys: ['id:ann'], customerId: 'ann', email: null, orderId: null, now: T0 };
			const usage = (now: number) => store.usage({ campaignId: c.id, codeKey: 'HOLD', customerKeys: ['id:ann'], now });
			const raw = new Redis(own.url);
			try {
				const zcounts = async () => (await commandCalls(raw, 'zcount')).zcount;
				expect(await store.redeem({ ...use, unitId: `${c.id}~r1`, event: draftOf(2) })).toMatchObject({ status: 'redeemed' });
				let before = await zcounts();
				expect(await usage(T0)).toMatchObject({ code: { redemptions: 1, reserved: 0 }, customerUsed: 1, campaignUsed: 1 });
				expect(await zcounts()).toBe(before);

				expect(await store.reserve({ ...use, unitId: `${c.id}~h1`, holdUntil: T0 + HOUR, event: draftOf(3) })).toMatchObject({ status: 'reserved' });
				before = await zcounts();
				expect(await usage(T0 + MIN)).toMatchObject({ code: { redemptions: 1, reserved: 1 }, customerUsed: 2, campaignUsed: 2 });
				expect(await zcounts()).toBe(before + 3);
				// after the latest hold has lapsed, nothing is counted again
				before = await zcounts();
				expect(await usage(T0 + 2 * HOUR)).toMatchObject({ code: { redemptions: 1, reserved: 0 }, customerUsed: 1, campaignUsed: 1 });
				expect(await zcounts()).toBe(before);
			} finally {
				raw.disconnect();
			}
		});

		it('keeps each unit as a field of its campaign, and still finishes units kept one hash each', async () => {
			const store = await openOwn();
			const c = campaign('units', 1, { perCode: 5, total: null });
			const slot = store.keys.slot(c.id);
			const draftOf = (n: number): EventDraft => ({
				id: `unit-ev-${n}`, at: new Date(T0).toISOString(), campaignId: c.id, code: 'UNITS', customerId: 'ann', channel: 'web', amount: 20, data: {},
			});
			// shown as UN-ITS: a unit written by a redeem leaves the code as shown out, and a rollback reads it from the code
			await seed(store, c, [plainCode(c, 'UNITS', 'UN-ITS')], draftOf);
			const use = { limits: limitsOf(c), codeKey: 'UNITS', customerKeys: ['id:ann'], customerId: 'ann', email: null, orderId: 'o-1', now: T0 };
			const raw = new Redis(own.url);
			try {
				for (const n of [1, 2]) expect(await store.redeem({ ...use, unitId: `${c.id}~r${n}`, event: draftOf(10 + n) })).toMatchObject({ status: 'redeemed' });
				expect(await store.reserve({ ...use, unitId: `${c.id}~h1`, holdUntil: T0 + HOUR, event: draftOf(13) })).toMatchObject({ status: 'reserved' });
				// no key per unit: the three live in the campaign's units hash
				expect(await raw.keys(`${slot.unitPrefix}*`)).toEqual([]);
				expect((await raw.hkeys(slot.units)).sort()).toEqual([`${c.id}~h1`, `${c.id}~r1`, `${c.id}~r2`]);
				expect(JSON.parse((await raw.hget(slot.units, `${c.id}~r1`)) ?? '[]')).toEqual(['standing', '', '', 'UNITS', '', '=ann', 'o-1', '20', '=web', 'id:ann']);
				expect(JSON.parse((await raw.hget(slot.units, `${c.id}~h1`)) ?? '[]')).toEqual(['held', '1', String(T0 + HOUR), 'UNITS', '', '=ann', 'o-1', '20', '=web', 'id:ann']);

				// r2 and h1 as units were kept before the units hash: one hash each
				for (const [id, fields] of [
					[`${c.id}~r2`, { s: 'standing' }],
					[`${c.id}~h1`, { s: 'held', r: '1', h: String(T0 + HOUR) }],
				] as const) {
					await raw.hdel(slot.units, id);
					await raw.hset(slot.unit(id), { ...fields, u: JSON.stringify(['UNITS', 'UNITS', '=ann', 'o-1', '20', '=web', 'id:ann']) });
				}
				const finish = (id: string, n: number) => ({ unitId: `${c.id}~${id}`, now: T0 + MIN, event: draftOf(n) });
				expect(await store.audit(c.id)).toMatchObject({ standingRedemptions: 2, codeRedemptions: 2, redeemedCounter: 2 });
				expect(await store.rollback(finish('r2', 20))).toMatchObject({ status: 'done', codeKey: 'UNITS', orderId: 'o-1', amount: 20 });
				expect(await raw.hget(slot.unit(`${c.id}~r2`), 's')).toBe('rolled_back');
				expect(await store.rollback(finish('r2', 21))).toEqual({ status: 'rejected', reason: 'ALREADY_FINISHED' });
				expect(await store.commit(finish('h1', 22))).toMatchObject({ status: 'done', codeKey: 'UNITS' });
				expect(await raw.hgetall(slot.unit(`${c.id}~h1`))).toMatchObject({ s: 'standing', r: '1' });
				expect(await raw.hexists(slot.unit(`${c.id}~h1`), 'h')).toBe(0);
				// and a unit of the units hash: rolled back in place
				expect(await store.rollback(finish('r1', 23))).toMatchObject({ status: 'done', code: 'UN-ITS' });
				expect(JSON.parse((await raw.hget(slot.units, `${c.id}~r1`)) ?? '[]')[0]).toBe('rolled_back');
				expect(await store.audit(c.id)).toMatchObject({ standingRedemptions: 1, codeRedemptions: 1, redeemedCounter: 1, ledgerRedeemed: 1 });
				const rolledBack = (await store.events({ limit: 100, campaignId: c.id })).events.find((e) => e.id === 'unit-ev-23');
				expect(rolledBack).toMatchObject({ type: 'rolled_back', code: 'UN-ITS', customerId: 'ann', channel: 'web', amount: -20 });
			} finally {
				raw.disconnect();
			}
		});

		it('checks the blocks of a redeem inside its script on a single Redis: a blocked call writes nothing, the rest of its run goes on', async () => {
			const store = await openOwn();
			const c = campaign('blocks', 1, { perCode: 5, total: null });
			const draftOf = (n: number): EventDraft => ({
				id: `blk-${n}`, at: new Date(T0).toISOString(), campaignId: c.id, code: 'BLKS', customerId: `c${n}`, channel: null, amount: null, data: {},
			});
			await seed(store, c, ['BLKS'], draftOf);
			const raw = new Redis(own.url);
			try {
				await raw.set(store.keys.abuse('id:mallory').blockedUntil, String(T0 + HOUR));
				await raw.set(store.keys.abuse('id:over').blockedUntil, String(T0 - 1));
				const redeem = (n: number, abuseKeys: string[]) =>
					store.redeem({
						limits: limitsOf(c), codeKey: 'BLKS', customerKeys: [`id:c${n}`], customerId: `c${n}`, email: null, orderId: null,
						unitId: `${c.id}~u${n}`, now: T0, event: draftOf(n), abuseKeys,
					});
				for (let i = 0; i < 3; i++) await redeem(2 + i, []);
				const stats = () => commandCalls(raw, 'evalsha', 'get', 'mget');
				const before = await stats();
				const answers = await Promise.all([redeem(10, ['id:ann']), redeem(11, ['id:ann', 'id:mallory']), redeem(12, ['id:over'])]);
				expect(answers.map((a) => a.status)).toEqual(['redeemed', 'blocked', 'redeemed']);
				// one script run; its GETs are the script's own (one per abuse key, up to the live block); no MGET
				expect(await stats()).toEqual({ evalsha: before.evalsha + 1, get: before.get + 4, mget: before.mget });
				const events = (await store.events({ limit: 100, campaignId: c.id })).events.map((e) => e.id);
				expect(events).toContain('blk-10');
				expect(events).not.toContain('blk-11');
				expect(await raw.hexists(store.keys.slot(c.id).units, `${c.id}~u11`)).toBe(0);
				expect(await store.usage({ campaignId: c.id, codeKey: 'BLKS', customerKeys: ['id:c11'], now: T0 })).toMatchObject({
					code: { redemptions: 5 },
					customerUsed: 0,
				});
			} finally {
				raw.disconnect();
			}
		});
	});

	it('keeps only what differs from a plain code in its hash, small enough for a listpack, and reads codes written whole the same', async () => {
		const store = await open();
		const c = campaign('compact', 1, { perCode: 2 });
		const full: StoredCode = {
			...plainCode(c, 'FULL', 'FU-LL'),
			customerId: 'ann', email: 'ann@example.com', channel: 'sms', expiresAt: T0 + HOUR, metadata: { tier: 'gold' },
		};
		const draftOf = (n: number): EventDraft => ({
			id: `compact-ev-${n}`, at: new Date(T0).toISOString(), campaignId: c.id, code: null, customerId: null, channel: null, amount: null, data: {},
		});
		await seed(store, c, ['PLAN', full], draftOf);
		const slot = store.keys.slot(c.id);
		const raw = new Redis(url());
		try {
			expect(await raw.hget(slot.code('PLAN'), 'd')).toBe(JSON.stringify({ issuedAt: T0 }));
			expect(await raw.object('ENCODING', slot.code('PLAN'))).toBe('listpack');
			expect(JSON.parse((await raw.hget(slot.code('FULL'), 'd')) ?? '{}')).toEqual({
				issuedAt: T0, code: 'FU-LL', customerId: 'ann', email: 'ann@example.com', channel: 'sms', expiresAt: T0 + HOUR, metadata: { tier: 'gold' },
			});
			expect(await store.getCode('PLAN', T0)).toEqual(plainCode(c, 'PLAN'));
			expect(await store.getCode('FULL', T0)).toEqual(full);
			const redeemed = await store.redeem({
				limits: limitsOf(c), codeKey: 'PLAN', customerKeys: ['id:bob'], customerId: 'bob', email: null, orderId: null,
				unitId: `${c.id}~u1`, now: T0, event: { ...draftOf(2), code: 'PLAN', customerId: 'bob' },
			});
			expect(redeemed).toMatchObject({ status: 'redeemed', code: { ...plainCode(c, 'PLAN'), redemptions: 1 } });

			// hashes written before kept every field, nulls and all
			const whole = (code: StoredCode) =>
				JSON.stringify({
					code: code.code, customerId: code.customerId, email: code.email, channel: code.channel,
					issuedAt: code.issuedAt, expiresAt: code.expiresAt, metadata: code.metadata,
				});
			await raw.hset(slot.code('PLAN'), 'd', whole(plainCode(c, 'PLAN')));
			await raw.hset(slot.code('FULL'), 'd', whole(full));
			expect(await store.getCode('PLAN', T0)).toEqual({ ...plainCode(c, 'PLAN'), redemptions: 1 });
			expect(await store.getCode('FULL', T0)).toEqual(full);
		} finally {
			raw.disconnect();
		}
	});

	it('appends an event id only once', async () => {
		const store = await open();
		const event: LedgerEvent = {
			id: 'same',
			type: 'delivered',
			at: new Date(T0).toISOString(),
			campaignId: null,
			code: 'X',
			customerId: null,
			channel: 'sms',
			count: 1,
			amount: null,
			reason: null,
			data: {},
		};
		await store.appendEvent(event);
		await store.appendEvent({ ...event, channel: 'email' });
		expect((await store.events({ limit: 10 })).events).toEqual([event]);
		expect(await store.statRows({ fromHour: T0, toHour: T0 + HOUR })).toEqual([
			{ hour: T0, campaignId: null, channel: 'sms', type: 'delivered', count: 1, amount: 0 },
		]);
	});

	it('moves a filtered cursor past the events it skipped, and keeps an idle cursor as it was', async () => {
		const store = await open();
		const ev = (n: number, type: LedgerEvent['type']) =>
			plainEvent(n, { type, at: new Date(T0 + n).toISOString(), campaignId: n % 2 ? 'x' : null });
		for (let n = 1; n <= 6; n++) await store.appendEvent(ev(n, n === 2 ? 'blocked' : 'delivered'));
		const first = await store.events({ limit: 10, types: ['blocked'] });
		expect(first.events.map((e) => e.id)).toEqual(['e2']);
		const idle = await store.events({ after: first.cursor, limit: 10, types: ['blocked'] });
		expect(idle.events).toEqual([]);
		const again = await store.events({ after: idle.cursor, limit: 10, types: ['blocked'] });
		expect(again.cursor).toBe(idle.cursor);
		await store.appendEvent(ev(7, 'blocked'));
		expect((await store.events({ after: again.cursor, limit: 10, types: ['blocked'] })).events.map((e) => e.id)).toEqual(['e7']);
		expect((await store.events({ after: again.cursor, limit: 10 })).events.map((e) => e.id)).toEqual(['e7']);
		await expect(store.events({ after: 'not-a-cursor', limit: 1 })).rejects.toThrow(/after/);
	});

	it('continues a cursor on a new connection', async () => {
		const prefix = newPrefix();
		const first = await openRedisStore({ type: 'redis', url: url(), keyPrefix: prefix });
		const ev = (n: number, campaignId: string | null) => plainEvent(n, { campaignId, data: { n } });
		for (let n = 1; n <= 9; n++) await first.appendEvent(ev(n, [null, 'a', 'b'][n % 3]));
		const page1 = await first.events({ limit: 4 });
		await first.close();
		await expect(first.events({ limit: 1 })).rejects.toThrow(StoreError);

		const second = await open({ keyPrefix: prefix });
		const page2 = await second.events({ after: page1.cursor, limit: 100 });
		expect([...page1.events, ...page2.events].map((e) => e.id)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9']);
		const onlyA = await second.events({ limit: 2, campaignId: 'a' });
		const restA = await second.events({ after: onlyA.cursor, limit: 100, campaignId: 'a' });
		expect([...onlyA.events, ...restA.events].map((e) => e.id)).toEqual(['e1', 'e4', 'e7']);
	});

	it('hands out events in append order when others append between its reads of two streams', async () => {
		const prefix = newPrefix();
		const reader = await open({ keyPrefix: prefix });
		const writer = await open({ keyPrefix: prefix });
		const ev = (n: number, campaignId: string) => plainEvent(n, { campaignId });
		await writer.appendEvent(ev(1, 'a'));
		await writer.appendEvent(ev(2, 'b'));
		// The race, made certain: campaign b's stream is read only after a's read is answered and one more
		// event has landed in each stream, a's first.
		const client = (reader as unknown as { client: Redis }).client;
		const xrange = client.xrange.bind(client) as unknown as (...args: Array<string | number>) => Promise<unknown>;
		const [keyA, keyB] = [reader.keys.slot('a').events, reader.keys.slot('b').events];
		let raced = false;
		let release = (): void => undefined;
		const landed = new Promise<void>((resolve) => (release = resolve));
		(client as unknown as { xrange: typeof xrange }).xrange = async (...args) => {
			if (args[0] === keyB && !raced) await landed;
			const reply = await xrange(...args);
			if (args[0] === keyA && !raced) {
				raced = true;
				await writer.appendEvent(ev(3, 'a'));
				await writer.appendEvent(ev(4, 'b'));
				release();
			}
			return reply;
		};
		const first = await reader.events({ limit: 10 });
		expect(raced).toBe(true);
		const second = await reader.events({ after: first.cursor, limit: 10 });
		expect([...first.events, ...second.events].map((e) => e.id)).toEqual(['e1', 'e2', 'e3', 'e4']);
	});

	it('caches the campaign of a code only once the code is seen', async () => {
		const prefix = newPrefix();
		const store = await open({ keyPrefix: prefix });
		const admin = new Redis(url());
		try {
			const c = campaign('spring', 1);
			await store.putCampaign(c, null, { ...draftOf('p1'), type: 'campaign_created', count: 1, reason: null, campaignId: 'spring' });
			// a claim left by an insert that has not run (or failed half-way): a campaign without the code
			await admin.set(store.keys.codeIndex('PEND1'), 'spring');
			expect(await store.campaignOfCode('PEND1')).toBe('spring');
			expect(await store.getCode('PEND1', T0)).toBeNull();
			const sc: StoredCode = {
				key: 'PEND1',
				code: 'PEND-1',
				campaignId: 'spring',
				customerId: null,
				email: null,
				channel: null,
				issuedAt: T0,
				expiresAt: null,
				voidedAt: null,
				redemptions: 0,
				reserved: 0,
				metadata: {},
			};
			expect(await store.issue({ limits: limitsOf(c), code: sc, now: T0, event: draftOf('p2') })).toEqual({ status: 'duplicate' });
			await admin.del(store.keys.codeIndex('PEND1'));
			expect(await store.campaignOfCode('PEND1')).toBeNull();
			expect(await store.issue({ limits: limitsOf(c), code: sc, now: T0, event: draftOf('p3') })).toMatchObject({ status: 'issued' });
			expect(await store.campaignOfCode('PEND1')).toBe('spring');
			expect(await store.getCode('PEND1', T0)).toMatchObject({ code: 'PEND-1' });
			await admin.del(store.keys.codeIndex('PEND1'));
			expect(await store.campaignOfCode('PEND1')).toBe('spring');
		} finally {
			admin.disconnect();
		}
	});

	describe('on a Redis Cluster node', () => {
		let server: PrivateRedis;
		let node: Redis;

		beforeAll(async () => {
			server = await setup.startRedis(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-announce-ip', '127.0.0.1']);
			node = new Redis(server.url);
			await node.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
			for (let i = 0; i < 200 && !/cluster_state:ok/.test(String(await node.call('CLUSTER', 'INFO'))); i++) {
				await new Promise((r) => setTimeout(r, 50));
			}
		});
		afterAll(async () => {
			// while the node is up, so that their connections quit politely
			await Promise.all(stores.splice(0).map((s) => s.close()));
			node.disconnect();
			await server.stop();
		});

		it('runs every operation with the keys of each script in one hash slot', async () => {
			const watcher = new Redis(server.url);
			const monitor = await watcher.monitor();
			const scripts: string[][] = [];
			const others: string[][] = [];
			monitor.on('monitor', (_time: string, args: string[], source: string) => {
				const name = args[0].toLowerCase();
				if (source === 'lua') return;
				if (name === 'eval' || name === 'evalsha') scripts.push(args);
				else if (!['monitor', 'cluster', 'info', 'command', 'ping', 'quit', 'client'].includes(name)) others.push(args);
			});
			const store = await openRedisStore({ type: 'redis', cluster: [`127.0.0.1:${server.port}`], keyPrefix: newPrefix() });
			stores.push(store);
			const log = new Map(await story(store));
			expect(log.get('redeem AA11')).toMatchObject({ status: 'redeemed' });
			expect((log.get('events') as LedgerEvent[]).length).toBeGreaterThan(50);
			await node.ping();
			monitor.disconnect();
			watcher.disconnect();

			expect(scripts.length).toBeGreaterThan(60);
			const names = new Set<string>();
			for (const args of scripts) {
				const keys = args.slice(3, 3 + Number(args[2]));
				const slots = new Set(await Promise.all(keys.map((k) => slotOf(node, k))));
				expect({ keys, slots: slots.size }).toEqual({ keys, slots: 1 });
				names.add(args[1]);
			}
			// the plain commands are single-key (reads, index claims, set members) or keyless (the server's time)
			for (const args of others) expect(['get', 'set', 'del', 'exists', 'hget', 'hmget', 'hgetall', 'hscan', 'sadd', 'smembers', 'xrange', 'zrangebyscore', 'zrevrange', 'scan', 'time']).toContain(args[0].toLowerCase());
			expect(names.size).toBeGreaterThanOrEqual(loadScripts().length);
		});

		it('keeps a campaign whose id has braces in its own slot', async () => {
			const store = await openRedisStore({ type: 'redis', cluster: [`127.0.0.1:${server.port}`] });
			stores.push(store);
			const braces = store.keys.slot('a}b{c');
			const plain = store.keys.slot('a');
			const slots = await Promise.all([braces.campaign, braces.code('K'), braces.events, braces.unit('a}b{c~1')].map((k) => slotOf(node, k)));
			expect(new Set(slots).size).toBe(1);
			expect(slots[0]).not.toBe(await slotOf(node, plain.campaign));
			expect(braces.campaign.startsWith('ck:{c:a%7db%7bc}')).toBe(true);
		});
	});

	describe('scripts', () => {
		let server: PrivateRedis;
		beforeAll(async () => {
			server = await setup.startRedis();
		});
		afterAll(async () => {
			await server.stop();
		});

		it('sends each script once per connection, then only its SHA, and survives a SCRIPT FLUSH', async () => {
			const watcher = new Redis(server.url);
			const monitor = await watcher.monitor();
			const admin = new Redis(server.url);
			try {
				const calls: Array<[string, string]> = [];
				monitor.on('monitor', (_time: string, args: string[]) => {
					const name = args[0].toLowerCase();
					if (name === 'eval' || name === 'evalsha') calls.push([name, args[1]]);
				});
				const store = await openRedisStore({ type: 'redis', url: server.url });
				stores.push(store);
				await story(store);
				await admin.ping();
				const shas = loadScripts().map((s) => shaOf(s.lua));
				const exists = (await admin.script('EXISTS', ...shas)) as number[];
				expect(loadScripts().filter((_s, i) => exists[i] !== 1).map((s) => s.name)).toEqual([]);
				// a script's source goes at most once per connection (the store keeps three), then only its SHA
				const bySha = calls.filter(([name]) => name === 'evalsha').map(([, sha]) => sha);
				expect(bySha.filter((sha) => !shas.includes(sha))).toEqual([]);
				const evals = calls.filter(([name]) => name === 'eval').length;
				expect(evals).toBeGreaterThanOrEqual(shas.length);
				expect(evals).toBeLessThanOrEqual(shas.length * 3);
				expect(bySha.length).toBeGreaterThan(40);

				const usage = () => store.usage({ campaignId: 'spring', codeKey: 'AA11', customerKeys: ['id:c3'], now: T0 });
				const before = await usage();
				await admin.script('FLUSH');
				expect(await store.getCampaign('spring')).toMatchObject({ version: 2 });
				expect(await usage()).toEqual(before);
				expect(before).toMatchObject({ customerUsed: 1, code: { redemptions: 1 } });
			} finally {
				admin.disconnect();
				monitor.disconnect();
				watcher.disconnect();
			}
		});
	});

	describe('when Redis is unreachable', () => {
		it('refuses to open within the timeout, naming the server but not the password', async () => {
			const port = await setup.freePort();
			const started = Date.now();
			const err = (await openRedisStore({
				type: 'redis',
				url: `redis://admin:s3cr3t-pw@127.0.0.1:${port}`,
				commandTimeoutMs: 400,
			}).catch((e: unknown) => e)) as StoreError;
			expect(err).toBeInstanceOf(StoreError);
			expect(err.retryable).toBe(true);
			expect(err.message).toContain(`127.0.0.1:${port}`);
			expect(err.message).not.toContain('s3cr3t-pw');
			expect(Date.now() - started).toBeLessThan(1500);
		});

		it('leaves nothing behind that keeps the process alive once it has given up', async () => {
			// In a process of its own, where nothing else holds a timer: ioredis' default gave each failed socket
			// 2 s to close politely, so a script that could not reach Redis lingered that long after the error.
			const port = await setup.freePort();
			const dist = join(__dirname, '..', '..', 'dist', 'core');
			const script = `
				const { openRedisStore } = require(${JSON.stringify(join(dist, 'store', 'redis'))});
				const { openRedisTriggerStore } = require(${JSON.stringify(join(dist, 'triggers', 'store', 'redis'))});
				(async () => {
					const options = { type: 'redis', host: '127.0.0.1', port: ${port}, commandTimeoutMs: 400 };
					const errors = [await openRedisStore(options).catch((e) => e.code), await openRedisTriggerStore(options).catch((e) => e.code)];
					await new Promise((r) => setTimeout(r, 500));
					setImmediate(() => process.stdout.write(JSON.stringify({ errors, timers: process.getActiveResourcesInfo().filter((r) => r === 'Timeout') })));
				})();`;
			const out = await new Promise<string>((resolve, reject) =>
				execFile(process.execPath, ['-e', script], { timeout: 10_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
			);
			expect(JSON.parse(out)).toEqual({ errors: ['STORE_ERROR', 'STORE_ERROR'], timers: [] });
		});

		it('gives up on a server that accepts but never answers', async () => {
			const silent: Server = createServer(() => undefined);
			await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
			const port = (silent.address() as { port: number }).port;
			const started = Date.now();
			try {
				const err = await openRedisStore({ type: 'redis', host: '127.0.0.1', port, password: 'pw-9xq', commandTimeoutMs: 300 }).catch((e: unknown) => e);
				expect(err).toBeInstanceOf(StoreError);
				expect((err as StoreError).message).not.toContain('pw-9xq');
				expect(Date.now() - started).toBeLessThan(1500);
			} finally {
				silent.close();
			}
		});

		it('fails calls fast while Redis is down or stuck, and works again once it is back', async () => {
			const server = await setup.startRedis();
			const store = await openRedisStore({ type: 'redis', url: server.url, commandTimeoutMs: 300 });
			stores.push(store);
			const c = campaign('spring', 1);
			expect(await store.putCampaign(c, null, { ...draftOf('x1'), type: 'campaign_created', count: 1, reason: null })).toBe('ok');

			process.kill(server.pid, 'SIGSTOP');
			let started = Date.now();
			let err = (await store.getCampaign('spring').catch((e: unknown) => e)) as StoreError;
			expect(err).toBeInstanceOf(StoreError);
			expect(err.retryable).toBe(true);
			expect(err.message).toMatch(/did not answer within 300 ms/);
			expect(Date.now() - started).toBeLessThan(1500);
			process.kill(server.pid, 'SIGCONT');

			await server.stop();
			started = Date.now();
			err = (await store.getCampaign('spring').catch((e: unknown) => e)) as StoreError;
			expect(err).toBeInstanceOf(StoreError);
			expect(err.retryable).toBe(true);
			expect(Date.now() - started).toBeLessThan(1500);

			const again = spawn('redis-server', ['--port', String(server.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
				stdio: 'ignore',
			});
			try {
				await setup.waitForPort(server.port, 10_000);
				let answer: unknown = null;
				for (let i = 0; i < 20 && answer === null; i++) {
					answer = await store.putCampaign(c, null, { ...draftOf(`x${i + 2}`), type: 'campaign_created', count: 1, reason: null }).catch(() => null);
				}
				expect(answer).toBe('ok');
			} finally {
				await store.close();
				await new Promise((r) => {
					again.once('exit', r);
					again.kill('SIGTERM');
				});
			}
		});
	});
});

function draftOf(id: string): EventDraft {
	return { id, at: new Date(T0).toISOString(), campaignId: null, code: null, customerId: null, channel: null, amount: null, data: {} };
}

function shaOf(lua: string): string {
	return createHash('sha1').update(lua).digest('hex');
}
