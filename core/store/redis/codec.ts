// Values between TypeScript and the Lua scripts: nullable strings, events, outcome tuples, cursors.
import { InvalidArgumentError, StoreError } from '../../errors';
import type { LedgerEvent, LedgerEventType, RejectionReason } from '../../types';
import type { EventDraft, FinishOutcome, IssueOutcome, RedeemOutcome, StoredCode, VoidOutcome } from '../types';
import type { CodeArgs, EventArgs, EventHead, Reply } from './scripts';

export const DAY = 86_400_000;

/** A nullable string for Lua: '' is null, '=' + value a value (so '' itself survives). */
export function enc(value: string | null | undefined): string {
	return value === null || value === undefined ? '' : `=${value}`;
}

export function dec(value: string): string | null {
	return value === '' ? null : value.slice(1);
}

/** An id-like value for Lua, where '' never is a real value: '' is null. */
export function opt(value: string | null | undefined): string {
	return value ?? '';
}

export function amountArg(value: number | null | undefined): string {
	return typeof value === 'number' && Number.isFinite(value) ? String(value) : '';
}

// Events of one millisecond share their `at` (see isoAt in engine.ts): parse it once.
let parsedAt = '';
let parsedMs = 0;
export function eventTime(at: string): number {
	if (at === parsedAt) return parsedMs;
	const ms = Date.parse(at);
	if (!Number.isFinite(ms)) throw new InvalidArgumentError('event.at', `"${at}" is not an ISO date-time`);
	parsedAt = at;
	parsedMs = ms;
	return ms;
}

function dataArg(data: Record<string, unknown> | null | undefined): string {
	if (!data) return '';
	for (const _key in data) return JSON.stringify(data);
	return '';
}

/** A draft as script arguments; the script adds type, count and reason (and may override fields). */
export function eventHead(e: EventDraft): EventHead {
	return [
		e.id,
		String(eventTime(e.at)),
		enc(e.campaignId),
		enc(e.code),
		enc(e.customerId),
		enc(e.channel),
		amountArg(e.amount),
		dataArg(e.data),
	];
}

/**
 * What a redeem script's event takes from the call as it is, packed by Node into the stream field `e`:
 * id, at (epoch ms, as the caller parsed it with `eventTime`), campaign, customer, channel (nullable as
 * `enc`), data JSON ('' = {}). The script adds the type, the code as shown and what it decides (amount,
 * reason, order id, holdUntil).
 */
export function packedEvent(e: EventDraft, at: string): string {
	return JSON.stringify([e.id, at, enc(e.campaignId), enc(e.customerId), enc(e.channel), dataArg(e.data)]);
}

export function eventArgs(e: LedgerEvent): EventArgs {
	return [...eventHead(e), e.type, String(e.count), e.reason ?? ''];
}

/**
 * A stream entry (`[field, value, …]`) back into a ledger event. Fields: i id, at (epoch ms), t type,
 * k campaign, c code, u customer, ch channel, n count, a amount, r reason, d data JSON; the extras o, h, l
 * (order id, holdUntil, lapsed) are merged into data. Events of the redeem script carry id, at, campaign,
 * customer, channel and data packed in one field `e` (see `packedEvent`), and no count: they count one.
 */
export function decodeEvent(fields: string[]): LedgerEvent {
	const f: Record<string, string> = {};
	for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]] = fields[i + 1];
	if (f.e !== undefined) {
		[f.i, f.at, f.k, f.u, f.ch, f.d] = JSON.parse(f.e) as string[];
		f.n ??= '1';
	}
	let data: Record<string, unknown> = f.d ? (JSON.parse(f.d) as Record<string, unknown>) : {};
	if (f.o !== undefined || f.h !== undefined || f.l !== undefined) {
		data = { ...data };
		if (f.o !== undefined) data.orderId = f.o;
		if (f.h !== undefined) data.holdUntil = Number(f.h);
		if (f.l !== undefined) data.lapsed = true;
	}
	return {
		id: f.i,
		type: f.t as LedgerEventType,
		at: new Date(Number(f.at)).toISOString(),
		campaignId: dec(f.k ?? ''),
		code: dec(f.c ?? ''),
		customerId: dec(f.u ?? ''),
		channel: dec(f.ch ?? ''),
		count: Number(f.n),
		amount: f.a ? Number(f.a) : null,
		reason: f.r ? (f.r as RejectionReason) : null,
		data,
	};
}

/**
 * The fields of a code that never change, kept as one JSON value in the code hash. Only what differs from
 * the default is written (the code as shown when it is not its key, null fields and empty metadata left
 * out): a typical code's hash then stays small enough for Redis to keep it as a listpack, less than half
 * the memory of a hash table. Hashes written before keep every field, and read the same.
 */
interface CodeJson {
	code?: string;
	customerId?: string | null;
	email?: string | null;
	channel?: string | null;
	issuedAt: number;
	expiresAt?: number | null;
	metadata?: Record<string, unknown>;
}

export function codeArgs(c: StoredCode): CodeArgs {
	const json: CodeJson = { issuedAt: c.issuedAt };
	if (c.code !== c.key) json.code = c.code;
	if (c.customerId != null) json.customerId = c.customerId;
	if (c.email != null) json.email = c.email;
	if (c.channel != null) json.channel = c.channel;
	if (c.expiresAt != null) json.expiresAt = c.expiresAt;
	if (c.metadata && Object.keys(c.metadata).length > 0) json.metadata = c.metadata;
	return [
		JSON.stringify(json),
		c.code,
		c.expiresAt === null || c.expiresAt === undefined ? '' : String(c.expiresAt),
		opt(c.customerId),
		opt(c.email),
	];
}

export function storedCode(
	campaignId: string,
	key: string,
	json: string,
	voidedAt: string,
	redemptions: string | number,
	reserved: string | number,
): StoredCode {
	const d = JSON.parse(json) as CodeJson;
	return {
		key,
		code: d.code ?? key,
		campaignId,
		customerId: d.customerId ?? null,
		email: d.email ?? null,
		channel: d.channel ?? null,
		issuedAt: d.issuedAt,
		expiresAt: d.expiresAt ?? null,
		voidedAt: voidedAt === '' ? null : Number(voidedAt),
		redemptions: Number(redemptions),
		reserved: Number(reserved),
		metadata: d.metadata ?? {},
	};
}

type Outcome = IssueOutcome | RedeemOutcome | FinishOutcome | VoidOutcome;

/** An outcome tuple of a script (or of an idempotency record) as the outcome object. */
export function outcomeOf(t: string[], campaignId: string): Outcome {
	switch (t[0]) {
		case 'rejected':
			return { status: 'rejected', reason: t[1] as RejectionReason };
		case 'issued':
			return { status: 'issued', code: storedCode(campaignId, t[1], t[2], '', '0', '0'), eventId: t[3] };
		case 'redeemed':
		case 'reserved':
			return {
				status: t[0],
				unitId: t[1],
				code: storedCode(campaignId, t[4], t[5], t[6], t[7], t[8]),
				at: Number(t[2]),
				holdUntil: t[3] === '' ? null : Number(t[3]),
			};
		case 'done':
			return {
				status: 'done',
				unitId: t[1],
				codeKey: t[2],
				code: t[3],
				campaignId,
				at: Number(t[4]),
				orderId: dec(t[5]),
				amount: t[6] === '' ? null : Number(t[6]),
			};
		case 'voided':
			return { status: 'voided', code: storedCode(campaignId, t[2], t[3], t[4], t[5], t[6]), at: Number(t[1]) };
		case 'stale':
		case 'conflict':
		case 'missing':
		case 'blocked':
			return { status: t[0] };
		default:
			throw new StoreError(`the Redis store answered an unknown outcome "${t[0]}"`, false);
	}
}

/** A script's reply: fresh outcome, control answer, or a replayed idempotency record. */
export function replyOutcome<T>(reply: Reply, campaignId: string): T {
	const t = reply as string[];
	if (t[0] === 'replay') {
		const record = JSON.parse(t[1]) as string[];
		return { ...outcomeOf(record.slice(1), campaignId), replayed: true } as T;
	}
	return outcomeOf(t, campaignId) as T;
}

export function parseRecord(record: string, campaignId: string): { fingerprint: string; outcome: unknown } {
	const t = JSON.parse(record) as string[];
	return { fingerprint: t[0], outcome: outcomeOf(t.slice(1), campaignId) };
}

// ---------- cursors ----------

/** Position in each stream: `g` the campaign-less one, `c` per campaign id. Stream ids as Redis gives them. */
export interface Cursor {
	g?: string;
	c: Record<string, string>;
}

const STREAM_ID = /^\d+-\d+$/;

export function encodeCursor(c: Cursor): string {
	return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

export function decodeCursor(after: string | undefined): Cursor {
	if (after === undefined || after === '') return { c: {} };
	const bad = () => new InvalidArgumentError('after', 'is not a cursor returned by events()');
	let parsed: unknown;
	try {
		parsed = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
	} catch {
		throw bad();
	}
	if (typeof parsed !== 'object' || parsed === null) throw bad();
	const { g, c } = parsed as { g?: unknown; c?: unknown };
	if (g !== undefined && (typeof g !== 'string' || !STREAM_ID.test(g))) throw bad();
	if (typeof c !== 'object' || c === null || Array.isArray(c)) throw bad();
	for (const v of Object.values(c)) if (typeof v !== 'string' || !STREAM_ID.test(v)) throw bad();
	return { g: g as string | undefined, c: c as Record<string, string> };
}

/** Stream ids are `<µs>-<seq>`; negative when `a` comes first. */
export function compareStreamIds(a: string, b: string): number {
	const da = a.indexOf('-');
	const db = b.indexOf('-');
	const ta = Number(a.slice(0, da));
	const tb = Number(b.slice(0, db));
	if (ta !== tb) return ta - tb;
	return Number(a.slice(da + 1)) - Number(b.slice(db + 1));
}
