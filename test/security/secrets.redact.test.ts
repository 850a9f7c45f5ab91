// core/redact: the one helper both hosts (and the Redis trigger store) use to keep secrets out of what they show.
import { StoreError } from '../../core/errors';
import { REDACTED, redactCause, redactError, redactText, redactValue, secretForms, storeSecrets } from '../../core/redact';
import { makeSecret, Recorder } from './helpers/leaks';

const PASS = makeSecret('redact-pass', '-p@ss/w:rd');
const TOKEN = makeSecret('redact-token');
const BASIC_PASS = makeSecret('redact-basic');
const BASIC = `Basic ${Buffer.from(`shop:${BASIC_PASS}`).toString('base64')}`;

function clean(value: unknown, secrets: string[]): boolean {
	const rec = new Recorder();
	rec.add('value', value);
	return rec.leaks(secrets).length === 0;
}

describe('redactText', () => {
	test('replaces a secret as given, URL-encoded and in base64', () => {
		const text = `a ${PASS} b ${encodeURIComponent(PASS)} c ${Buffer.from(PASS).toString('base64')} d ${Buffer.from(PASS).toString('base64url')}`;
		const out = redactText(text, [PASS]);
		expect(out).toBe(`a ${REDACTED} b ${REDACTED} c ${REDACTED} d ${REDACTED}`);
	});

	test('an Authorization value: the whole value, the token, and Basic credentials decoded', () => {
		const bearer = `Bearer ${TOKEN}`;
		expect(redactText(`got "${bearer}" and token=${TOKEN}`, [bearer])).toBe(`got "${REDACTED}" and token=${REDACTED}`);
		const token = BASIC.slice('Basic '.length);
		const echoed = `header ${BASIC}; token ${token}; pair shop:${BASIC_PASS}; password ${BASIC_PASS}`;
		const out = redactText(echoed, [BASIC]);
		expect(out).not.toContain(BASIC_PASS);
		expect(out).not.toContain(token);
		expect(clean(out, [BASIC, BASIC_PASS])).toBe(true);
	});

	test('short or missing secrets change nothing', () => {
		expect(redactText('a b c abc', ['a', '', 'abc'])).toBe('a b c abc');
		expect(secretForms([undefined, null, 42, ''])).toEqual([]);
	});

	test('longest form first: a secret that contains another is replaced whole', () => {
		expect(redactText(`x ${TOKEN}-and-more y`, [TOKEN, `${TOKEN}-and-more`])).toBe(`x ${REDACTED} y`);
	});
});

describe('redactValue', () => {
	test('copies JSON-like data with every string and key redacted, leaves the original alone', () => {
		const value = { headers: { authorization: `Bearer ${TOKEN}`, [TOKEN]: 1 }, list: [PASS, 2, null, true], n: 3 };
		const out = redactValue(value, [`Bearer ${TOKEN}`, PASS]);
		expect(out).toEqual({ headers: { authorization: REDACTED, [REDACTED]: 1 }, list: [REDACTED, 2, null, true], n: 3 });
		expect(value.list[0]).toBe(PASS);
	});

	test('survives cycles', () => {
		const a: Record<string, unknown> = { s: PASS };
		a.self = a;
		expect(redactValue(a, [PASS])).toEqual({ s: REDACTED, self: '[circular]' });
	});
});

describe('redactError', () => {
	// What ioredis hands over when AUTH fails: the command and its arguments, the password among them.
	const authError = () => Object.assign(new Error('WRONGPASS invalid username-password pair'), { name: 'ReplyError', command: { name: 'auth', args: [PASS] } });

	test('keeps class, name, code and fields; redacts message and stack; reduces the cause chain', () => {
		const error = new StoreError(`cannot reach Redis with ${PASS}`, true, { cause: authError() });
		const safe = redactError(error, [PASS]);
		expect(safe).toBeInstanceOf(StoreError);
		expect(safe).toMatchObject({ name: 'StoreError', code: 'STORE_ERROR', retryable: true, message: `cannot reach Redis with ${REDACTED}` });
		const cause = (safe as { cause?: Error & { command?: unknown } }).cause;
		expect(cause?.message).toBe('WRONGPASS invalid username-password pair');
		expect(cause?.name).toBe('ReplyError');
		expect(cause?.command).toBeUndefined();
		expect(clean(safe, [PASS])).toBe(true);
		// The original is untouched.
		expect(error.message).toContain(PASS);
	});

	test('a cause is reduced even when no secret is known', () => {
		const reduced = redactCause(new Error('outer', { cause: authError() }), []);
		expect(clean(reduced, [PASS])).toBe(true);
		expect((reduced as Error & { cause: Error }).cause.message).toMatch(/WRONGPASS/);
	});

	test('plain own data is redacted, objects of other classes are dropped', () => {
		const error = Object.assign(new Error('x'), { body: { echo: PASS }, platformMessage: `said ${PASS}`, socket: new (class Socket {})() });
		const safe = redactError(error, [PASS]) as Error & Record<string, unknown>;
		expect(safe.body).toEqual({ echo: REDACTED });
		expect(safe.platformMessage).toBe(`said ${REDACTED}`);
		expect(safe.socket).toBeUndefined();
	});

	test('a thrown non-error becomes an Error', () => {
		expect(redactError(`boom ${PASS}`, [PASS]).message).toBe(`boom ${REDACTED}`);
	});
});

describe('storeSecrets', () => {
	test('the Redis password and the URL password, decoded and as typed', () => {
		const url = `redis://:${encodeURIComponent(PASS)}@127.0.0.1:6379/0`;
		expect(storeSecrets({ type: 'redis', url, password: TOKEN })).toEqual([TOKEN, PASS, encodeURIComponent(PASS)]);
		expect(storeSecrets({ type: 'redis', url: 'redis://127.0.0.1:6379' })).toEqual([]);
		expect(storeSecrets({ type: 'sqlite', path: '/tmp/x.db' })).toEqual([]);
		expect(storeSecrets(null)).toEqual([]);
	});
});
