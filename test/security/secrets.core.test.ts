// Below both hosts: the errors the engine and the Redis trigger store throw carry no Redis password in
// any form — not in the message, not in a field, not anywhere down the cause chain.
import { openEngine } from '../../core';
import type { RedisStoreOptions } from '../../core/api';
import { toStoreOptions } from '../../core/hosts/storeSettings';
import { openRedisTriggerStore } from '../../core/triggers/store/redis';
import { makeSecret, Recorder } from './helpers/leaks';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startRedis, freePort } = require('../setup/redis') as {
	startRedis(args: string[]): Promise<{ url: string; port: number; stop(): Promise<void> }>;
	freePort(): Promise<number>;
};

const RIGHT = makeSecret('core-right');
const WRONG = makeSecret('core-wrong', '-p@ss/w:rd');
const SECRETS = [RIGHT, WRONG];

let locked: { port: number; stop(): Promise<void> };
let closedPort: number;

beforeAll(async () => {
	locked = await startRedis(['--requirepass', RIGHT]);
	closedPort = await freePort();
});

afterAll(async () => {
	await locked?.stop();
});

async function failure(run: () => Promise<{ close(): Promise<void> }>): Promise<unknown> {
	try {
		const opened = await run();
		await opened.close();
	} catch (error) {
		return error;
	}
	throw new Error('expected a failure');
}

function expectClean(label: string, error: unknown, says: RegExp): void {
	const rec = new Recorder();
	rec.add(label, error);
	expect(rec.texts(label)[0]).toMatch(says);
	expect(rec.leaks(SECRETS)).toEqual([]);
}

const cases = (): Array<[string, RedisStoreOptions, RegExp]> => [
	['wrong password', { type: 'redis', host: '127.0.0.1', port: locked.port, password: WRONG, commandTimeoutMs: 2000 }, /WRONGPASS/],
	['wrong password in the URL', { type: 'redis', url: `redis://:${encodeURIComponent(WRONG)}@127.0.0.1:${locked.port}`, commandTimeoutMs: 2000 }, /WRONGPASS/],
	['user and wrong password', { type: 'redis', host: '127.0.0.1', port: locked.port, username: 'default', password: WRONG, commandTimeoutMs: 2000 }, /WRONGPASS/],
	['closed port with a password', { type: 'redis', host: '127.0.0.1', port: closedPort, password: WRONG, commandTimeoutMs: 2000 }, /ECONNREFUSED|cannot reach/],
];

test('openEngine on Redis: each failure, no password', async () => {
	for (const [label, store, says] of cases()) expectClean(label, await failure(() => openEngine({ store })), says);
}, 60_000);

test('the Redis trigger store: each failure, no password (a failed AUTH carried it in its command arguments)', async () => {
	for (const [label, store, says] of cases()) expectClean(label, await failure(() => openRedisTriggerStore(store)), says);
}, 60_000);

test('store settings refused with a Redis URL in the wrong field do not quote it', () => {
	const url = `redis://:${WRONG}@127.0.0.1:6379`;
	for (const settings of [{ mode: 'redis', host: url }, { mode: 'redis', cluster: `${url}, 127.0.0.1:7000` }, { mode: 'redis', url: `https://:${WRONG}@x` }, { mode: 'redis', url: `redis://:${encodeURIComponent(WRONG)}@x:99999999` }]) {
		let error: unknown;
		try {
			toStoreOptions(settings, { sqlitePath: '/tmp/x.db' });
		} catch (e) {
			error = e;
		}
		expectClean(JSON.stringify(Object.keys(settings)), error, /InvalidArgumentError/);
	}
});
