/**
 * Every Coupon operation both hosts offer, as one typed table: host fields in, one engine call, plain JSON out.
 * The n8n Coupon node and the Node-RED `coupon` node only map their form values to `OperationArgs`.
 *
 * Exports:
 * - `COUPON_OPERATIONS`: resource → operation → `OperationSpec` (label, `mutates`, `parse`, `run`).
 * - `runCouponOperation(engine, resource, operation, args)`: parse + one engine call → `OperationOutput`.
 *   Bad input throws `InvalidArgumentError` whose `field` is a host field name (below); store failures
 *   throw the engine's `StoreError` / `NotFoundError` / `ConflictError` unchanged.
 * - `parseCouponOperation(resource, operation, args)`: parse only (same errors, nothing is called).
 * - `isCouponOperation(resource, operation)`, `COUPON_RESOURCES`, types `CouponResource`,
 *   `CouponOperationName<R>`, `OperationArgs`, `OperationOutput`, `JsonObject`, `JsonValue`.
 * - `FIELD_LABELS`: host field name → words for an operator ("campaignId" → "Campaign ID").
 * - `codesToCsv(codes, columns?)`: the CSV text Bulk Generate offers as a file.
 *
 * Host field names (what `args` holds; values may be strings from a form: numbers, booleans, comma or
 * newline separated lists and JSON text are all accepted):
 *   code.issue         campaignId*, customerId, email, channel, metadata, idempotencyKey
 *   code.validate      code*, customerId, email, orderAmount, currency, channel, segments, firstOrder, source
 *   code.redeem        validate's fields + orderId, idempotencyKey
 *   code.reserve       redeem's fields + ttlSeconds
 *   code.commit        reservationId*, orderId, idempotencyKey
 *   code.release       reservationId*, idempotencyKey
 *   code.rollback      redemptionId*, reason, idempotencyKey
 *   code.void          code*, reason, idempotencyKey
 *   code.get           code*                         → { found: false, code } when unknown
 *   code.bulkGenerate  campaignId*, count*, channel, batchSize → { campaignId, count, codes[] }
 *   campaign.create    definition (whole CampaignDefinition as object/JSON) or the flat fields:
 *                      campaignId*, name, discountType*, discountValue, discountAmount, discountCurrency,
 *                      codePattern, codeLength, charset, prefix, postfix, checkCharacter, validFrom,
 *                      validUntil, timeZone, lifetimeDays, windows, perCode, perCustomer,
 *                      totalRedemptions, issuanceLimit, minOrderAmount, orderCurrency, firstOrderOnly,
 *                      segments, channels, maxGuessProbability, metadata, active
 *   campaign.update    campaignId* + patch (object/JSON) or any flat field above except codes' format
 *   campaign.get       campaignId*                   (unknown id → NotFoundError)
 *   campaign.getMany   limit (none = all), activeOnly → Campaign[]
 *   customer.upsert    customerId*, email, phone, birthday, renewalDate, timeZone, tags, orderCount, metadata
 *   analytics.stats    campaignId, from, to, groupBy (day | channel | campaign), timeZone
 *   analytics.events   campaignId, types, after, limit → { events[], cursor }
 */
import type { CouponEngine } from '../api';
import { InvalidArgumentError, NotFoundError } from '../errors';
import type {
	CampaignDefinition,
	CampaignPatch,
	CustomerProfile,
	EventsQuery,
	FinishReservationInput,
	GenerateInput,
	IssueInput,
	RedeemInput,
	ReserveInput,
	RollbackInput,
	StatsQuery,
	ValidateInput,
	VoidInput,
} from '../types';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Host form values by host field name. */
export type OperationArgs = Record<string, unknown>;

/** One object (one n8n item / one msg.payload) or a list (several items / an array payload). */
export type OperationOutput = JsonObject | JsonObject[];

export interface OperationSpec<A = unknown> {
	/** Words for menus and messages ("Roll Back"). */
	label: string;
	/** Whether the call writes to the ledger (a retry should carry an idempotency key). */
	mutates: boolean;
	/** Host fields → engine input; throws InvalidArgumentError naming a host field. */
	parse(args: OperationArgs): A;
	/** One engine call; the result as plain JSON. */
	run(engine: CouponEngine, input: A): Promise<OperationOutput>;
	/** Engine field (or prefix before `.`/`[`) → host field, for errors the engine raises. */
	fields?: Record<string, string>;
}

export const FIELD_LABELS: Record<string, string> = {
	campaignId: 'Campaign ID',
	customerId: 'Customer ID',
	email: 'Email',
	channel: 'Channel',
	metadata: 'Metadata',
	idempotencyKey: 'Idempotency Key',
	code: 'Code',
	orderAmount: 'Order Amount',
	currency: 'Currency',
	segments: 'Segments',
	firstOrder: 'First Order',
	source: 'Source',
	orderId: 'Order ID',
	ttlSeconds: 'Hold For (Seconds)',
	reservationId: 'Reservation ID',
	redemptionId: 'Redemption ID',
	reason: 'Reason',
	count: 'Number of Codes',
	batchSize: 'Batch Size',
	definition: 'Campaign Definition (JSON)',
	patch: 'Changes (JSON)',
	name: 'Name',
	discountType: 'Discount Type',
	discountValue: 'Percent Off',
	discountAmount: 'Amount Off',
	discountCurrency: 'Discount Currency',
	codePattern: 'Code Pattern',
	codeLength: 'Code Length',
	charset: 'Characters',
	prefix: 'Prefix',
	postfix: 'Postfix',
	checkCharacter: 'Check Character',
	validFrom: 'Valid From',
	validUntil: 'Valid Until',
	timeZone: 'Time Zone',
	lifetimeDays: 'Code Lifetime (Days)',
	windows: 'Time Windows',
	perCode: 'Uses per Code',
	perCustomer: 'Uses per Customer',
	totalRedemptions: 'Total Redemptions',
	issuanceLimit: 'Issuance Limit',
	minOrderAmount: 'Minimum Order Amount',
	orderCurrency: 'Order Currency',
	firstOrderOnly: 'First Order Only',
	channels: 'Channels',
	maxGuessProbability: 'Max Guess Probability',
	active: 'Active',
	limit: 'Limit',
	activeOnly: 'Active Only',
	phone: 'Phone',
	birthday: 'Birthday',
	renewalDate: 'Renewal Date',
	tags: 'Tags',
	orderCount: 'Order Count',
	from: 'From',
	to: 'To',
	groupBy: 'Group By',
	types: 'Event Types',
	after: 'After Cursor',
};

// ---------- readers: form values (often strings) → typed values, errors name the host field ----------

function given(value: unknown): boolean {
	return value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');
}

function str(args: OperationArgs, field: string): string | undefined {
	const value = args[field];
	if (!given(value)) return undefined;
	if (typeof value === 'string') return value.trim();
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	throw new InvalidArgumentError(field, `must be text (got ${describe(value)})`);
}

/** Text kept exactly as given (no trim): a prefix may end in a space or a dash on purpose. */
function rawStr(args: OperationArgs, field: string): string | undefined {
	const value = args[field];
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	throw new InvalidArgumentError(field, `must be text (got ${describe(value)})`);
}

function requiredStr(args: OperationArgs, field: string): string {
	const value = str(args, field);
	if (value === undefined) throw new InvalidArgumentError(field, 'is required');
	return value;
}

function num(args: OperationArgs, field: string): number | undefined {
	const value = args[field];
	if (!given(value)) return undefined;
	const n = typeof value === 'string' ? Number(value.trim()) : value;
	if (typeof n !== 'number' || !Number.isFinite(n)) {
		throw new InvalidArgumentError(field, `must be a number (got ${describe(value)})`);
	}
	return n;
}

function bool(args: OperationArgs, field: string): boolean | undefined {
	const value = args[field];
	if (!given(value)) return undefined;
	if (typeof value === 'boolean') return value;
	const s = typeof value === 'string' ? value.trim().toLowerCase() : '';
	if (s === 'true') return true;
	if (s === 'false') return false;
	throw new InvalidArgumentError(field, `must be true or false (got ${describe(value)})`);
}

function list(args: OperationArgs, field: string): string[] | undefined {
	const value = args[field];
	if (!given(value)) return undefined;
	const raw = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[,\n]/) : null;
	if (!raw) throw new InvalidArgumentError(field, `must be a list or comma-separated text (got ${describe(value)})`);
	return raw.map((v) => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '\u0000')).filter((v) => {
		if (v === '\u0000') throw new InvalidArgumentError(field, 'must contain only text entries');
		return v !== '';
	});
}

function object(args: OperationArgs, field: string): Record<string, unknown> | undefined {
	const value = args[field];
	if (!given(value)) return undefined;
	let parsed: unknown = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch {
			throw new InvalidArgumentError(field, 'is not valid JSON (expected an object such as {"source": "newsletter"})');
		}
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new InvalidArgumentError(field, `must be a JSON object (got ${describe(parsed)})`);
	}
	return parsed as Record<string, unknown>;
}

function array(args: OperationArgs, field: string): unknown[] | undefined {
	const value = args[field];
	if (!given(value)) return undefined;
	let parsed: unknown = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch {
			throw new InvalidArgumentError(field, 'is not valid JSON (expected a list such as [{"days": ["sat", "sun"]}])');
		}
	}
	if (!Array.isArray(parsed)) throw new InvalidArgumentError(field, `must be a JSON list (got ${describe(parsed)})`);
	return parsed;
}

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
	if (typeof value === 'object') return 'an object';
	return String(value);
}

/** Sets `target[key]` only when the value was given, so absent fields keep engine defaults. */
function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
	if (value !== undefined) target[key] = value;
}

/** Ties one operation's parse and run to the same input type. */
function op<A>(spec: OperationSpec<A>): OperationSpec<A> {
	return spec;
}

function json(value: unknown): JsonObject {
	return value as JsonObject;
}

// ---------- campaigns: flat host fields ↔ nested definition ----------

const CAMPAIGN_FIELDS: Record<string, string> = {
	id: 'campaignId',
	name: 'name',
	'discount.type': 'discountType',
	'discount.value': 'discountValue',
	'discount.amount': 'discountAmount',
	'discount.currency': 'discountCurrency',
	discount: 'discountType',
	'code.pattern': 'codePattern',
	'code.length': 'codeLength',
	'code.charset': 'charset',
	'code.prefix': 'prefix',
	'code.postfix': 'postfix',
	'code.checkCharacter': 'checkCharacter',
	code: 'codePattern',
	'validity.start': 'validFrom',
	'validity.end': 'validUntil',
	'validity.zone': 'timeZone',
	'validity.lifetimeDays': 'lifetimeDays',
	'validity.windows': 'windows',
	'limits.perCode': 'perCode',
	'limits.perCustomer': 'perCustomer',
	'limits.total': 'totalRedemptions',
	'limits.issuance': 'issuanceLimit',
	'rules.minOrderAmount': 'minOrderAmount',
	'rules.currency': 'orderCurrency',
	'rules.firstOrderOnly': 'firstOrderOnly',
	'rules.segments': 'segments',
	'rules.channels': 'channels',
	maxGuessProbability: 'maxGuessProbability',
	metadata: 'metadata',
	active: 'active',
};

/** Reads the flat campaign fields that were given into a (partial) nested definition. */
function campaignFromFlat(args: OperationArgs, forUpdate: boolean): CampaignPatch {
	const def: CampaignPatch = {};
	put(def, 'name', str(args, 'name'));

	const type = str(args, 'discountType');
	if (type === undefined) {
		for (const part of ['discountValue', 'discountAmount', 'discountCurrency']) {
			if (given(args[part])) throw new InvalidArgumentError('discountType', `is required when ${part} is given`);
		}
	} else {
		if (type === 'percent') {
			const value = num(args, 'discountValue');
			if (value === undefined) throw new InvalidArgumentError('discountValue', 'is required for a percent discount');
			def.discount = { type, value };
		} else if (type === 'fixed') {
			const amount = num(args, 'discountAmount');
			if (amount === undefined) throw new InvalidArgumentError('discountAmount', 'is required for a fixed discount');
			const currency = str(args, 'discountCurrency');
			if (currency === undefined) throw new InvalidArgumentError('discountCurrency', 'is required for a fixed discount');
			def.discount = { type, amount, currency };
		} else if (type === 'freeShipping') {
			def.discount = { type };
		} else {
			throw new InvalidArgumentError('discountType', `must be percent, fixed or freeShipping (got "${type}")`);
		}
	}

	const code: NonNullable<CampaignDefinition['code']> = {};
	put(code, 'pattern', str(args, 'codePattern'));
	put(code, 'length', num(args, 'codeLength'));
	put(code, 'charset', str(args, 'charset'));
	put(code, 'prefix', rawStr(args, 'prefix'));
	put(code, 'postfix', rawStr(args, 'postfix'));
	put(code, 'checkCharacter', bool(args, 'checkCharacter'));
	if (Object.keys(code).length > 0) {
		if (forUpdate) throw new InvalidArgumentError('codePattern', 'the code format of a campaign cannot change once it exists');
		def.code = code;
	}

	const validity: NonNullable<CampaignDefinition['validity']> = {};
	put(validity, 'start', str(args, 'validFrom'));
	put(validity, 'end', str(args, 'validUntil'));
	put(validity, 'zone', str(args, 'timeZone'));
	put(validity, 'lifetimeDays', num(args, 'lifetimeDays'));
	const windows = array(args, 'windows');
	if (windows !== undefined) validity.windows = windows as NonNullable<CampaignDefinition['validity']>['windows'];
	if (Object.keys(validity).length > 0) def.validity = validity;

	const limits: NonNullable<CampaignDefinition['limits']> = {};
	put(limits, 'perCode', num(args, 'perCode'));
	put(limits, 'perCustomer', num(args, 'perCustomer'));
	put(limits, 'total', num(args, 'totalRedemptions'));
	put(limits, 'issuance', num(args, 'issuanceLimit'));
	if (Object.keys(limits).length > 0) def.limits = limits;

	const rules: NonNullable<CampaignDefinition['rules']> = {};
	put(rules, 'minOrderAmount', num(args, 'minOrderAmount'));
	put(rules, 'currency', str(args, 'orderCurrency'));
	put(rules, 'firstOrderOnly', bool(args, 'firstOrderOnly'));
	put(rules, 'segments', list(args, 'segments'));
	put(rules, 'channels', list(args, 'channels'));
	if (Object.keys(rules).length > 0) def.rules = rules;

	put(def, 'maxGuessProbability', num(args, 'maxGuessProbability'));
	put(def, 'metadata', object(args, 'metadata'));
	put(def, 'active', bool(args, 'active'));
	return def;
}

function parseCreateCampaign(args: OperationArgs): CampaignDefinition {
	const whole = object(args, 'definition');
	if (whole) {
		const id = str(args, 'campaignId');
		return { ...whole, ...(id !== undefined ? { id } : {}) } as unknown as CampaignDefinition;
	}
	const id = requiredStr(args, 'campaignId');
	if (!given(args.discountType)) throw new InvalidArgumentError('discountType', 'is required');
	return { id, ...campaignFromFlat(args, false) } as CampaignDefinition;
}

function parseUpdateCampaign(args: OperationArgs): { id: string; patch: CampaignPatch } {
	const id = requiredStr(args, 'campaignId');
	const patch = object(args, 'patch') ?? campaignFromFlat(args, true);
	if (Object.keys(patch).length === 0) {
		throw new InvalidArgumentError('patch', 'nothing to change: give at least one field to update');
	}
	return { id, patch: patch as CampaignPatch };
}

// ---------- codes ----------

function parseUse(args: OperationArgs): ValidateInput {
	const input: ValidateInput = { code: requiredStr(args, 'code') };
	put(input, 'customerId', str(args, 'customerId'));
	put(input, 'email', str(args, 'email'));
	put(input, 'orderAmount', num(args, 'orderAmount'));
	put(input, 'currency', str(args, 'currency'));
	put(input, 'channel', str(args, 'channel'));
	put(input, 'segments', list(args, 'segments'));
	put(input, 'firstOrder', bool(args, 'firstOrder'));
	put(input, 'source', str(args, 'source'));
	return input;
}

function parseRedeem(args: OperationArgs): RedeemInput {
	const input: RedeemInput = parseUse(args);
	put(input, 'orderId', str(args, 'orderId'));
	put(input, 'idempotencyKey', str(args, 'idempotencyKey'));
	return input;
}

function parseFinish(args: OperationArgs, withOrder: boolean): FinishReservationInput {
	const input: FinishReservationInput = { reservationId: requiredStr(args, 'reservationId') };
	if (withOrder) put(input, 'orderId', str(args, 'orderId'));
	put(input, 'idempotencyKey', str(args, 'idempotencyKey'));
	return input;
}

const code = {
	issue: op({
		label: 'Issue',
		mutates: true,
		parse(args: OperationArgs): IssueInput {
			const input: IssueInput = { campaignId: requiredStr(args, 'campaignId') };
			put(input, 'customerId', str(args, 'customerId'));
			put(input, 'email', str(args, 'email'));
			put(input, 'channel', str(args, 'channel'));
			put(input, 'metadata', object(args, 'metadata'));
			put(input, 'idempotencyKey', str(args, 'idempotencyKey'));
			return input;
		},
		run: async (engine: CouponEngine, input: IssueInput) => json(await engine.issue(input)),
	}),
	validate: op({
		label: 'Validate',
		mutates: false,
		parse: parseUse,
		run: async (engine: CouponEngine, input: ValidateInput) => json(await engine.validate(input)),
	}),
	redeem: op({
		label: 'Redeem',
		mutates: true,
		parse: parseRedeem,
		run: async (engine: CouponEngine, input: RedeemInput) => json(await engine.redeem(input)),
	}),
	reserve: op({
		label: 'Reserve',
		mutates: true,
		parse(args: OperationArgs): ReserveInput {
			const input: ReserveInput = parseRedeem(args);
			put(input, 'ttlSeconds', num(args, 'ttlSeconds'));
			return input;
		},
		run: async (engine: CouponEngine, input: ReserveInput) => json(await engine.reserve(input)),
	}),
	commit: op({
		label: 'Commit',
		mutates: true,
		parse: (args: OperationArgs) => parseFinish(args, true),
		run: async (engine: CouponEngine, input: FinishReservationInput) => json(await engine.commit(input)),
	}),
	release: op({
		label: 'Release',
		mutates: true,
		parse: (args: OperationArgs) => parseFinish(args, false),
		run: async (engine: CouponEngine, input: FinishReservationInput) => json(await engine.release(input)),
	}),
	rollback: op({
		label: 'Roll Back',
		mutates: true,
		parse(args: OperationArgs): RollbackInput {
			const input: RollbackInput = { redemptionId: requiredStr(args, 'redemptionId') };
			put(input, 'reason', str(args, 'reason'));
			put(input, 'idempotencyKey', str(args, 'idempotencyKey'));
			return input;
		},
		run: async (engine: CouponEngine, input: RollbackInput) => json(await engine.rollback(input)),
	}),
	void: op({
		label: 'Void',
		mutates: true,
		parse(args: OperationArgs): VoidInput {
			const input: VoidInput = { code: requiredStr(args, 'code') };
			put(input, 'reason', str(args, 'reason'));
			put(input, 'idempotencyKey', str(args, 'idempotencyKey'));
			return input;
		},
		run: async (engine: CouponEngine, input: VoidInput) => json(await engine.void(input)),
	}),
	get: op({
		label: 'Get',
		mutates: false,
		parse: (args: OperationArgs) => ({ code: requiredStr(args, 'code') }),
		async run(engine: CouponEngine, input: { code: string }) {
			const info = await engine.getCode(input.code);
			return info ? json({ found: true, ...info }) : { found: false, code: input.code };
		},
	}),
	bulkGenerate: op({
		label: 'Bulk Generate',
		mutates: true,
		parse(args: OperationArgs): GenerateInput {
			const count = num(args, 'count');
			if (count === undefined) throw new InvalidArgumentError('count', 'is required');
			const input: GenerateInput = { campaignId: requiredStr(args, 'campaignId'), count };
			put(input, 'channel', str(args, 'channel'));
			put(input, 'batchSize', num(args, 'batchSize'));
			return input;
		},
		async run(engine: CouponEngine, input: GenerateInput) {
			const codes: string[] = [];
			for await (const batch of engine.generate(input)) {
				for (const c of batch) codes.push(c);
			}
			return { campaignId: input.campaignId, count: codes.length, codes };
		},
	}),
};

const campaign = {
	create: op({
		label: 'Create',
		mutates: true,
		parse: parseCreateCampaign,
		run: async (engine: CouponEngine, def: CampaignDefinition) => json(await engine.createCampaign(def)),
		fields: CAMPAIGN_FIELDS,
	}),
	update: op({
		label: 'Update',
		mutates: true,
		parse: parseUpdateCampaign,
		run: async (engine: CouponEngine, input: { id: string; patch: CampaignPatch }) =>
			json(await engine.updateCampaign(input.id, input.patch)),
		fields: CAMPAIGN_FIELDS,
	}),
	get: op({
		label: 'Get',
		mutates: false,
		parse: (args: OperationArgs) => ({ id: requiredStr(args, 'campaignId') }),
		async run(engine: CouponEngine, input: { id: string }) {
			const found = await engine.getCampaign(input.id);
			if (!found) throw new NotFoundError('campaign', input.id);
			return json(found);
		},
		fields: { id: 'campaignId' },
	}),
	getMany: op({
		label: 'Get Many',
		mutates: false,
		parse(args: OperationArgs): { limit?: number; activeOnly: boolean } {
			const limit = num(args, 'limit');
			if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
				throw new InvalidArgumentError('limit', 'must be a whole number of at least 1');
			}
			return { limit, activeOnly: bool(args, 'activeOnly') ?? false };
		},
		async run(engine: CouponEngine, input: { limit?: number; activeOnly: boolean }) {
			let all = await engine.listCampaigns();
			if (input.activeOnly) all = all.filter((c) => c.active);
			return (input.limit === undefined ? all : all.slice(0, input.limit)).map(json);
		},
	}),
};

const customer = {
	upsert: op({
		label: 'Upsert',
		mutates: true,
		parse(args: OperationArgs): CustomerProfile {
			const profile: CustomerProfile = { id: requiredStr(args, 'customerId') };
			put(profile, 'email', str(args, 'email'));
			put(profile, 'phone', str(args, 'phone'));
			put(profile, 'birthday', str(args, 'birthday'));
			put(profile, 'renewalDate', str(args, 'renewalDate'));
			put(profile, 'timeZone', str(args, 'timeZone'));
			put(profile, 'tags', list(args, 'tags'));
			put(profile, 'orderCount', num(args, 'orderCount'));
			put(profile, 'metadata', object(args, 'metadata'));
			return profile;
		},
		run: async (engine: CouponEngine, profile: CustomerProfile) => json(await engine.upsertCustomer(profile)),
		fields: { id: 'customerId' },
	}),
};

const analytics = {
	stats: op({
		label: 'Stats',
		mutates: false,
		parse(args: OperationArgs): StatsQuery {
			const query: StatsQuery = {};
			put(query, 'campaignId', str(args, 'campaignId'));
			put(query, 'from', str(args, 'from'));
			put(query, 'to', str(args, 'to'));
			const groupBy = str(args, 'groupBy');
			if (groupBy !== undefined && groupBy !== 'none') {
				if (groupBy !== 'day' && groupBy !== 'channel' && groupBy !== 'campaign') {
					throw new InvalidArgumentError('groupBy', `must be day, channel or campaign (got "${groupBy}")`);
				}
				query.groupBy = groupBy;
			}
			put(query, 'zone', str(args, 'timeZone'));
			return query;
		},
		run: async (engine: CouponEngine, query: StatsQuery) => json(await engine.stats(query)),
		fields: { zone: 'timeZone' },
	}),
	events: op({
		label: 'Events',
		mutates: false,
		parse(args: OperationArgs): EventsQuery {
			const query: EventsQuery = {};
			put(query, 'campaignId', str(args, 'campaignId'));
			put(query, 'types', list(args, 'types') as EventsQuery['types']);
			put(query, 'after', str(args, 'after'));
			put(query, 'limit', num(args, 'limit'));
			return query;
		},
		run: async (engine: CouponEngine, query: EventsQuery) => json(await engine.events(query)),
	}),
};

export const COUPON_OPERATIONS = { code, campaign, customer, analytics };

export type CouponResource = keyof typeof COUPON_OPERATIONS;
export type CouponOperationName<R extends CouponResource> = keyof (typeof COUPON_OPERATIONS)[R] & string;
export const COUPON_RESOURCES = Object.keys(COUPON_OPERATIONS) as CouponResource[];

export function isCouponOperation(resource: string, operation: string): boolean {
	const table = (COUPON_OPERATIONS as Record<string, Record<string, unknown>>)[resource];
	return table !== undefined && Object.prototype.hasOwnProperty.call(table, operation);
}

function specOf(resource: string, operation: string): OperationSpec<unknown> {
	if (!isCouponOperation(resource, operation)) {
		throw new InvalidArgumentError('operation', `"${resource}.${operation}" is not a Coupon operation`);
	}
	return (COUPON_OPERATIONS as unknown as Record<string, Record<string, OperationSpec<unknown>>>)[resource][operation];
}

/** An engine error names an engine field (`limits.total`); tell the host which of its fields that is. */
function toHostField(spec: OperationSpec<unknown>, error: InvalidArgumentError): InvalidArgumentError {
	const map = spec.fields;
	if (!map) return error;
	let key = error.field;
	while (key !== '') {
		const host = map[key];
		if (host !== undefined) {
			if (host === error.field) return error;
			const problem = error.message.startsWith(`${error.field}: `)
				? error.message.slice(error.field.length + 2)
				: error.message;
			const mapped = new InvalidArgumentError(host, problem);
			(mapped as { cause?: unknown }).cause = error;
			return mapped;
		}
		const cut = Math.max(key.lastIndexOf('.'), key.lastIndexOf('['));
		key = cut > 0 ? key.slice(0, cut) : '';
	}
	return error;
}

export function parseCouponOperation(resource: string, operation: string, args: OperationArgs): unknown {
	return specOf(resource, operation).parse(args);
}

export async function runCouponOperation(
	engine: CouponEngine,
	resource: string,
	operation: string,
	args: OperationArgs,
): Promise<OperationOutput> {
	const spec = specOf(resource, operation);
	try {
		return await spec.run(engine, spec.parse(args));
	} catch (error) {
		if (error instanceof InvalidArgumentError) throw toHostField(spec, error);
		throw error;
	}
}

function csvCell(value: string): string {
	// A leading =, +, - or @ would run as a formula in a spreadsheet; quote such cells with a '.
	const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
	return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** CSV with a header row; one code per line plus any constant columns (e.g. campaignId). */
export function codesToCsv(codes: readonly string[], columns: Record<string, string> = {}): string {
	const extra = Object.entries(columns);
	const header = ['code', ...extra.map(([k]) => k)].map(csvCell).join(',');
	const tail = extra.map(([, v]) => `,${csvCell(v)}`).join('');
	const lines = [header];
	for (const c of codes) lines.push(`${csvCell(c)}${tail}`);
	return `${lines.join('\r\n')}\r\n`;
}
