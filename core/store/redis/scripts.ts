// The Lua scripts: read from `commands/` once per process, registered on each client with
// `defineCommand` under a name carrying a hash of the source, and one method per script that fixes
// its KEYS / ARGV order. ioredis sends a script's source once per connection, then only its SHA.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster, Redis } from 'ioredis';
import type { SlotKeys } from './keys';

export type Arg = string | number;
export type Reply = string | number | null | Reply[];

export const SCRIPT_NAMES = [
	'appendEvents',
	'countFailure',
	'expireCode',
	'finishUnit',
	'getCode',
	'insertGenerated',
	'issue',
	'putCampaign',
	'redeem',
	'rejectKeyed',
	'upsertCustomer',
	'usage',
	'void',
] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

export interface LoadedScript {
	name: ScriptName;
	/** Name the command is defined under: `ck:<name>:<first 10 hex digits of the source's SHA-1>`. */
	command: string;
	numberOfKeys: number;
	lua: string;
}

const INCLUDE = /^--- @include "([\w/.-]+)"\s*$/gm;

/** Replaces `--- @include "includes/x"` lines with the file, each file once per script. */
function resolveIncludes(source: string, dir: string, seen: Set<string>): string {
	return source.replace(INCLUDE, (_line, ref: string) => {
		if (seen.has(ref)) return '';
		seen.add(ref);
		const text = readFileSync(join(dir, `${ref}.lua`), 'utf8');
		return resolveIncludes(text, dir, seen);
	});
}

let cache: { dir: string; scripts: LoadedScript[] } | undefined;

export function loadScripts(dir = join(__dirname, 'commands')): LoadedScript[] {
	if (cache?.dir === dir) return cache.scripts;
	const files = readdirSync(dir).filter((f) => f.endsWith('.lua'));
	const scripts = SCRIPT_NAMES.map((name): LoadedScript => {
		const matches = files.filter((f) => new RegExp(`^${name}-\\d+\\.lua$`).test(f));
		if (matches.length !== 1) {
			throw new Error(
				matches.length === 0
					? `the Lua script ${name}-<keys>.lua is missing from ${dir}`
					: `${dir} holds ${matches.join(' and ')}: one ${name} script is stale; rebuild the package`,
			);
		}
		const file = matches[0];
		const lua = resolveIncludes(readFileSync(join(dir, file), 'utf8'), dir, new Set());
		const sha = createHash('sha1').update(lua).digest('hex');
		return { name, command: `ck:${name}:${sha.slice(0, 10)}`, numberOfKeys: Number(/-(\d+)\.lua$/.exec(file)?.[1]), lua };
	});
	cache = { dir, scripts };
	return scripts;
}

type Client = Redis | Cluster;
type Invoke = (...args: Arg[]) => Promise<Reply>;

/**
 * A draft as every appending script takes it: id, epoch ms, then campaign, code, customer, channel as
 * nullable strings ('' null, '=' + value), amount ('' null) and data JSON ('' = {}).
 */
export type EventHead = [
	id: string,
	at: string,
	campaignId: string,
	code: string,
	customerId: string,
	channel: string,
	amount: string,
	data: string,
];
/** A complete event (`appendEvents` and the like): head, type, count, reason ('' none). */
export type EventArgs = [...EventHead, type: string, count: string, reason: string];

/** Typed callers: each fixes the KEYS and ARGV order written in its script's header. */
export class Scripts {
	private readonly fns: Record<ScriptName, Invoke>;

	constructor(client: Client, scripts: LoadedScript[]) {
		const fns = {} as Record<ScriptName, Invoke>;
		for (const s of scripts) {
			client.defineCommand(s.command, { numberOfKeys: s.numberOfKeys, lua: s.lua });
			const fn = (client as unknown as Record<string, Invoke>)[s.command];
			fns[s.name] = (...args: Arg[]) => fn.apply(client, args);
		}
		this.fns = fns;
	}

	/** Ledger keys where an event id may be appended twice (plain appends): the id set makes it a no-op. */
	private static ledger(slot: SlotKeys): string[] {
		return [slot.events, slot.eventIds, slot.statsPrefix, slot.statDays];
	}

	/** Ledger keys of the scripts whose events carry ids the engine has just made. */
	private static stream(slot: SlotKeys): [string, string, string] {
		return [slot.events, slot.statsPrefix, slot.statDays];
	}

	putCampaign(slot: SlotKeys, expectedVersion: string, version: string, json: string, event: EventArgs): Promise<Reply> {
		return this.fns.putCampaign(slot.campaign, ...Scripts.ledger(slot), expectedVersion, version, json, ...event);
	}

	issue(
		slot: SlotKeys,
		a: {
			codeKey: string;
			idempotencyKey: string | undefined;
			version: string;
			fingerprint: string;
			ttl: number;
			issuance: string;
			taken: boolean;
			code: CodeArgs;
			event: EventHead;
		},
	): Promise<Reply> {
		return this.fns.issue(
			slot.campaign,
			slot.code(a.codeKey),
			slot.idempotency('issue', a.idempotencyKey),
			slot.expiry,
			...Scripts.stream(slot),
			a.version,
			a.fingerprint,
			a.ttl,
			a.issuance,
			a.taken ? '1' : '0',
			a.codeKey,
			...a.code,
			...a.event,
		);
	}

	insertGenerated(slot: SlotKeys, a: { version: string; issuance: string; event: EventHead; candidates: Arg[] }): Promise<Reply> {
		return this.fns.insertGenerated(
			slot.campaign,
			slot.codePrefix,
			slot.expiry,
			...Scripts.stream(slot),
			a.version,
			a.issuance,
			...a.event,
			...a.candidates,
		);
	}

	/** A batch of redeems / reservations of one campaign version; `calls` as `packUse` (batcher.ts) packs them. */
	redeem(
		slot: SlotKeys,
		a: { version: string; ttl: number; perCode: string; perCustomer: string; total: string },
		calls: string[],
	): Promise<Reply> {
		return this.fns.redeem(
			slot.campaign,
			slot.codePrefix,
			slot.codeHoldsPrefix,
			slot.campaignHolds,
			slot.customerUsed,
			slot.customerHoldsPrefix,
			slot.units,
			slot.idempotencyPrefix,
			...Scripts.stream(slot),
			a.version,
			a.ttl,
			a.perCode,
			a.perCustomer,
			a.total,
			...calls,
		);
	}

	finishUnit(
		slot: SlotKeys,
		a: {
			op: 'commit' | 'release' | 'rollback';
			unitId: string;
			idempotencyKey: string | undefined;
			fingerprint: string;
			ttl: number;
			now: number;
			event: EventHead;
		},
	): Promise<Reply> {
		return this.fns.finishUnit(
			slot.campaign,
			slot.units,
			slot.unit(a.unitId),
			slot.idempotency(a.op, a.idempotencyKey),
			slot.codePrefix,
			slot.codeHoldsPrefix,
			slot.campaignHolds,
			slot.customerUsed,
			slot.customerHoldsPrefix,
			...Scripts.stream(slot),
			a.op,
			a.fingerprint,
			a.ttl,
			a.now,
			a.unitId,
			...a.event,
		);
	}

	void(
		slot: SlotKeys,
		a: { codeKey: string; idempotencyKey: string | undefined; fingerprint: string; ttl: number; now: number; event: EventHead },
	): Promise<Reply> {
		return this.fns.void(
			slot.code(a.codeKey),
			slot.codeHolds(a.codeKey),
			slot.idempotency('void', a.idempotencyKey),
			...Scripts.stream(slot),
			a.fingerprint,
			a.ttl,
			a.now,
			a.codeKey,
			...a.event,
		);
	}

	expireCode(slot: SlotKeys, codeKey: string, perCode: number, event: EventArgs): Promise<Reply> {
		return this.fns.expireCode(slot.code(codeKey), slot.expiry, ...Scripts.stream(slot), codeKey, perCode, ...event);
	}

	appendEvents(slot: SlotKeys, events: EventArgs[]): Promise<Reply> {
		return this.fns.appendEvents(...Scripts.ledger(slot), ...events.flat());
	}

	rejectKeyed(slot: SlotKeys, recordKey: string, record: string, ttlMs: number, event: EventArgs): Promise<Reply> {
		return this.fns.rejectKeyed(recordKey, ...Scripts.ledger(slot), record, ttlMs, ...event);
	}

	countFailure(
		keys: { failures: string; blockedUntil: string },
		a: { now: number; windowMs: number; threshold: number; cooldownMs: number; member: string; ttl: number },
	): Promise<Reply> {
		return this.fns.countFailure(keys.failures, keys.blockedUntil, a.now, a.windowMs, a.threshold, a.cooldownMs, a.member, a.ttl);
	}

	getCode(slot: SlotKeys, codeKey: string, now: number): Promise<Reply> {
		return this.fns.getCode(slot.code(codeKey), slot.codeHolds(codeKey), now);
	}

	usage(slot: SlotKeys, calls: Array<{ codeKey: string; now: number; customerKeys: string[] }>): Promise<Reply> {
		return this.fns.usage(
			slot.codePrefix,
			slot.codeHoldsPrefix,
			slot.campaign,
			slot.campaignHolds,
			slot.customerUsed,
			slot.customerHoldsPrefix,
			...calls.flatMap((c) => [c.now, c.codeKey, c.customerKeys.length, ...c.customerKeys]),
		);
	}

	upsertCustomer(
		customerKey: string,
		emailPrefix: string,
		slot: SlotKeys,
		a: { version: string; json: string; id: string; email: string; before: string; updatedAt: number; event: EventArgs | null },
	): Promise<Reply> {
		return this.fns.upsertCustomer(
			customerKey,
			emailPrefix,
			...Scripts.ledger(slot),
			a.version,
			a.json,
			a.id,
			a.email,
			a.before,
			a.updatedAt,
			...(a.event ?? []),
		);
	}
}

/** A new code for `issue` / `insertGenerated`: JSON, as shown, expiresAt, assigned customer id and email. */
export type CodeArgs = [json: string, display: string, expiresAt: string, customerId: string, email: string];
