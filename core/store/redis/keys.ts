// Every key name of the Redis store. All keys one script touches share a hash tag, so Redis Cluster
// keeps them in one slot:
//   {c:<campaignId>}  everything of one campaign: record, codes, units, holds, idempotency, ledger, stats
//   {g}               campaign-less ledger and stats, campaign and stream lists, customers
//   {a:<abuseKey>}    failure counter and block of one customer / source key
//   idx:<codeKey>     code → campaign (its own slot; uniqueness across campaigns)

/** A campaign id or abuse key inside a hash tag: braces would end the tag early, so they are escaped. */
function tagPart(value: string): string {
	return /[{}%]/.test(value) ? value.replace(/[{}%]/g, (c) => `%${c.charCodeAt(0).toString(16)}`) : value;
}

/** The keys of one slot: a campaign's, or the global one (campaign-less events). */
export class SlotKeys {
	readonly campaign: string;
	/** `codePrefix + codeKey`: hash of one code. */
	readonly codePrefix: string;
	/** `codeHoldsPrefix + codeKey`: zset unitId → holdUntil of one code's reservations. */
	readonly codeHoldsPrefix: string;
	/** `customerHoldsPrefix + customerKey`: zset unitId → holdUntil of one customer's reservations. */
	readonly customerHoldsPrefix: string;
	/** Zset unitId → holdUntil of all reservations of the campaign. */
	readonly campaignHolds: string;
	/** Hash customerKey → redemptions that stand. */
	readonly customerUsed: string;
	/** Hash unitId → unit (see commands/includes/unit.lua). */
	readonly units: string;
	/** `unitPrefix + unitId`: hash of one unit, as units were kept before `units`; read, never written. */
	readonly unitPrefix: string;
	readonly idempotencyPrefix: string;
	/** Stream of ledger events, one entry per event. */
	readonly events: string;
	/** Set of the event ids in `events` (an append of a known id is a no-op). */
	readonly eventIds: string;
	/** `statsPrefix + dayMs`: hash `<hourMs>|<type>|<channel>` → `count|sum|compensation`. */
	readonly statsPrefix: string;
	/** Zset of the days that have a stats hash. */
	readonly statDays: string;
	/** Zset code key → expiresAt of the codes not yet marked expired. */
	readonly expiry: string;

	constructor(readonly base: string) {
		this.campaign = `${base}:campaign`;
		this.codePrefix = `${base}:code:`;
		this.codeHoldsPrefix = `${base}:holds:code:`;
		this.customerHoldsPrefix = `${base}:holds:cust:`;
		this.campaignHolds = `${base}:holds`;
		this.customerUsed = `${base}:custUsed`;
		this.units = `${base}:units`;
		this.unitPrefix = `${base}:unit:`;
		this.idempotencyPrefix = `${base}:idem:`;
		this.events = `${base}:events`;
		this.eventIds = `${base}:eventIds`;
		this.statsPrefix = `${base}:stats:`;
		this.statDays = `${base}:statDays`;
		this.expiry = `${base}:expiry`;
	}

	code(codeKey: string): string {
		return this.codePrefix + codeKey;
	}

	codeHolds(codeKey: string): string {
		return this.codeHoldsPrefix + codeKey;
	}

	unit(unitId: string): string {
		return this.unitPrefix + unitId;
	}

	/** Idempotency record of one operation; `key` may be absent (the script then ignores the key). */
	idempotency(op: string, key: string | undefined): string {
		return `${this.idempotencyPrefix}${op}:${key ?? ''}`;
	}

	stats(day: number): string {
		return this.statsPrefix + String(day);
	}
}

const MAX_CACHED_SLOTS = 1000;

export class StoreKeys {
	readonly global: SlotKeys;
	/** Set of campaign ids. */
	readonly campaigns: string;
	/** Set of campaign ids that have a ledger stream (the global stream is always read). */
	readonly streams: string;
	/** `customerPrefix + id`: hash with the profile JSON and its version. */
	readonly customerPrefix: string;
	/** `emailPrefix + email`: zset customerId → updatedAt of customers with that email. */
	readonly emailPrefix: string;
	private readonly slots = new Map<string, SlotKeys>();

	constructor(readonly prefix: string) {
		this.global = new SlotKeys(`${prefix}{g}`);
		this.campaigns = `${this.global.base}:campaigns`;
		this.streams = `${this.global.base}:streams`;
		this.customerPrefix = `${this.global.base}:customer:`;
		this.emailPrefix = `${this.global.base}:email:`;
	}

	/** The slot of a campaign; null (or '') is the global slot. */
	slot(campaignId: string | null): SlotKeys {
		if (campaignId === null || campaignId === '') return this.global;
		let keys = this.slots.get(campaignId);
		if (!keys) {
			if (this.slots.size >= MAX_CACHED_SLOTS) this.slots.clear();
			keys = new SlotKeys(`${this.prefix}{c:${tagPart(campaignId)}}`);
			this.slots.set(campaignId, keys);
		}
		return keys;
	}

	/** Code key → campaign id; written before a code is inserted, so a key is unique across campaigns. */
	codeIndex(codeKey: string): string {
		return `${this.prefix}idx:${codeKey}`;
	}

	customer(id: string): string {
		return this.customerPrefix + id;
	}

	abuse(key: string): { failures: string; blockedUntil: string } {
		const base = `${this.prefix}{a:${tagPart(key)}}`;
		return { failures: `${base}:failures`, blockedUntil: `${base}:until` };
	}
}
