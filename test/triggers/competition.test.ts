// Exactly once under competition: three OS processes poll one store; every due firing goes to one.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { StoreOptions } from '../../core/api';
import { createTriggers } from '../../core/triggers';
import { buildEnv, buildTriggers } from './fixtures/build';

const CARTS = 1000;
const BIRTHDAYS = 200;
const WORKERS = 3;
const ARM_AT = Date.parse('2026-05-31T00:00:00Z');
const CLAIM_AT = Date.parse('2026-06-02T12:00:00Z');
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Pacific/Auckland'];

let dist: string;
const dir = mkdtempSync(join(tmpdir(), 'ck-race-'));

beforeAll(() => {
	dist = buildTriggers();
}, 120_000);

afterAll(() => {
	rmSync(dir, { recursive: true, force: true });
	rmSync(dirname(dirname(dirname(dist))), { recursive: true, force: true });
});

interface Reply {
	ready?: boolean;
	claimed?: string[];
	error?: string;
}

function nextMessage(child: ChildProcess): Promise<Reply> {
	return new Promise((resolve, reject) => {
		child.once('message', (m) => resolve(m as Reply));
		child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
	});
}

async function race(store: StoreOptions): Promise<string[][]> {
	const arming = await createTriggers({ store, clock: () => ARM_AT });
	for (let i = 0; i < CARTS; i++) {
		await arming.trackCart({ cartId: `cart-${i}`, type: 'activity', customerId: `cust-${i}`, value: 20 + (i % 50), at: ARM_AT - (i % 60) * 1000 }, { abandonAfterMinutes: 30, quietDays: 1 });
	}
	for (let i = 0; i < BIRTHDAYS; i++) {
		await arming.scheduleCustomer({ id: `bday-${i}`, birthday: `19${50 + (i % 50)}-06-01`, timeZone: ZONES[i % ZONES.length] });
	}
	await arming.close();

	const workers = Array.from({ length: WORKERS }, () =>
		fork(join(__dirname, 'fixtures', 'claimWorker.js'), [JSON.stringify({ dist, store, now: CLAIM_AT, limit: 10 })], { stdio: 'inherit', env: buildEnv() }),
	);
	try {
		const ready = await Promise.all(workers.map(nextMessage));
		for (const r of ready) if (!r.ready) throw new Error(r.error ?? 'worker did not start');
		const done = workers.map(nextMessage);
		for (const w of workers) w.send({ go: true });
		const replies = await Promise.all(done);
		return replies.map((r) => {
			if (!r.claimed) throw new Error(r.error ?? 'no result');
			return r.claimed;
		});
	} finally {
		for (const w of workers) if (w.exitCode === null) w.kill();
	}
}

async function expectExactlyOnce(store: StoreOptions): Promise<void> {
	const perWorker = await race(store);
	const all = perWorker.flat();
	const carts = all.filter((id) => id.startsWith('cart:'));
	const birthdays = all.filter((id) => id.startsWith('birthday:'));
	expect(new Set(carts).size).toBe(CARTS);
	expect(new Set(birthdays).size).toBe(BIRTHDAYS);
	expect(all).toHaveLength(CARTS + BIRTHDAYS);
	// Nothing left over, and every birthday moved on to next year.
	const after = await createTriggers({ store, clock: () => CLAIM_AT });
	expect(await after.claimDue({ limit: 1000 })).toEqual([]);
	expect(await after.nextDueAt()).toBeGreaterThan(Date.parse('2027-05-31T00:00:00Z'));
	await after.close();
	process.stdout.write(`claims per worker on ${store.type}: ${perWorker.map((w) => w.length).join(', ')}\n`);
}

it(`${WORKERS} processes on one Redis: ${CARTS} carts and ${BIRTHDAYS} birthdays fire exactly once`, async () => {
	await expectExactlyOnce({ type: 'redis', url: process.env.REDIS_URL, keyPrefix: `race${randomBytes(4).toString('hex')}:` });
}, 120_000);

it(`${WORKERS} processes on one SQLite file: ${CARTS} carts and ${BIRTHDAYS} birthdays fire exactly once`, async () => {
	await expectExactlyOnce({ type: 'sqlite', path: join(dir, 'race.db') });
}, 120_000);
