// The engine: checks arguments and campaign rules, then asks the store for one atomic operation.
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { AbuseOptions, AuditReport, CouponEngine, EngineOptions } from './api';
import {
	identifier,
	optionalBoolean,
	optionalNumber,
	optionalObject,
	optionalString,
	optionalStringList,
	requireObject,
	requiredString,
} from './args';
import { defineCampaign, definitionOf, parseZone } from './campaigns/define';
import { checkUseRules, codeExpiry, discountAmount, channelAllowed, campaignTiming } from './campaigns/rules';
import { CodeGenerator, checkOk, compileFormat, matchesFormat, normaliseCode } from './codes';
import type { CodeFormat } from './codes';
import { customerKeys, normaliseEmail } from './customers';
import {
	ConflictError,
	IdempotencyConflictError,
	InvalidArgumentError,
	NotFoundError,
	StoreError,
} from './errors';
import { campaignOfUnit, newId, unitId } from './ids';
import { GUESS_REASONS, issueMessage, reasonMessage } from './reasons';
import { aggregateStats } from './stats';
import type {
	AbuseSettings,
	CouponStore,
	EventDraft,
	FinishOutcome,
	IdempotencyClaim,
	IssueOutcome,
	LimitSnapshot,
	RedeemOutcome,
	RedeemRequest,
	RejectionRecord,
	StoredCode,
} from './store/types';
import type {
	Campaign,
	CampaignDefinition,
	CampaignPatch,
	CodeInfo,
	CommitResult,
	CustomerProfile,
	DeliveredInput,
	EventsPage,
	EventsQuery,
	FinishReservationInput,
	GenerateInput,
	IssueInput,
	IssueResult,
	LedgerEvent,
	LedgerEventType,
	RedeemInput,
	RedeemResult,
	RejectionReason,
	ReleaseResult,
	ReserveInput,
	ReserveResult,
	RollbackInput,
	RollbackResult,
	Stats,
	StatsQuery,
	StoredCustomer,
	ValidateInput,
	ValidateResult,
	VoidInput,
	VoidResult,
} from './types';

const LEDGER_TYPES: readonly LedgerEventType[] = [
	'campaign_created', 'campaign_updated', 'customer_upserted', 'generated', 'issued', 'delivered', 'rejected',
	'reserved', 'released', 'redeemed', 'rolled_back', 'voided', 'expired', 'blocked',
];
const MAX_CODE_ATTEMPTS = 8;
const MAX_STALE_RETRIES = 3;
const CAMPAIGN_REFRESH_MS = 1000;

interface LoadedCampaign {
	campaign: Campaign;
	format: CodeFormat;
	generator: CodeGenerator;
	/** Lookup key of a code this campaign generated (cheaper than normaliseCode: only ASCII separators can occur). */
	keyOf: (display: string) => string;
	/** What a store checks of this version of the campaign, made once per version. */
	limits: Readonly<LimitSnapshot>;
}

const ASCII_SEPARATORS = /[ \-_.]/g;
const NO_METADATA: Record<string, unknown> = Object.freeze({});

function keyMaker(format: CodeFormat): (display: string) => string {
	return /[ \-_.]/.test(format.pattern) ? (display) => display.replace(ASCII_SEPARATORS, '') : (display) => display;
}

interface UseContext {
	key: string;
	display: string;
	customerId: string | null;
	email: string | null;
	keys: string[];
	source: string | null;
	channel: string | null;
	orderAmount: number | null;
	currency: string | null;
	segments: string[] | null;
	firstOrder: boolean | null;
	orderId: string | null;
	idempotencyKey: string | null;
}

/** The campaign a typed code belongs to (`guessed` when taken from its shape alone), or why it has none. */
type Resolution = { loaded: LoadedCampaign; guessed: boolean } | Refusal;

/** Why a call was refused, and the campaign it was refused in. */
interface Refusal {
	reason: RejectionReason;
	campaignId: string | null;
}

// Calls under load share their millisecond: one toISOString for it, not two per redeem (a tenth of the
// engine's own time on one).
let isoMs = Number.NaN;
let isoText = '';
function isoAt(ms: number): string {
	if (ms !== isoMs) {
		isoText = new Date(ms).toISOString();
		isoMs = ms;
	}
	return isoText;
}

const iso = (ms: number | null): string | null => (ms === null ? null : isoAt(ms));

function fingerprint(op: string, parts: unknown): string {
	return createHash('sha256').update(op).update(JSON.stringify(parts)).digest('base64url');
}

function limitsOf(c: Campaign): LimitSnapshot {
	const issuance = c.limits.issuance ?? c.capacity.maxIssued;
	return {
		campaignId: c.id,
		campaignVersion: c.version,
		perCode: c.limits.perCode,
		perCustomer: c.limits.perCustomer,
		total: c.limits.total,
		issuance: Math.min(issuance, c.capacity.maxIssued),
	};
}

/** The campaigns whose codes a code's shape fits, as one key. */
function shapeOf(candidates: LoadedCampaign[]): string {
	return candidates.map((c) => c.campaign.id).join('\u0000');
}

export class Engine implements CouponEngine {
	private readonly campaigns = new Map<string, LoadedCampaign>();
	private lastRefresh = 0;
	/**
	 * Where several campaigns' codes share a shape (their ids joined): the campaign the last code looked up
	 * turned out to be of, and whether the one before agreed.
	 */
	private readonly lastOfShape = new Map<string, { campaignId: string; agreed: boolean }>();
	private readonly abuse: AbuseSettings;
	private readonly reservationTtlMs: number;
	private readonly clock: () => number;
	private closed = false;

	constructor(
		readonly store: CouponStore,
		options: Pick<EngineOptions, 'clock' | 'abuse' | 'reservationTtlSeconds'> = {},
	) {
		this.clock = options.clock ?? Date.now;
		this.abuse = abuseSettings(options.abuse ?? {});
		this.reservationTtlMs =
			(optionalNumber(options.reservationTtlSeconds, 'reservationTtlSeconds', { min: 1, integer: true }) ?? 900) * 1000;
	}

	now(): number {
		return this.clock();
	}

	// ---------- campaigns ----------

	async createCampaign(def: CampaignDefinition): Promise<Campaign> {
		const now = this.now();
		const campaign = defineCampaign(def, now);
		const result = await this.store.putCampaign(campaign, null, this.plainEvent('campaign_created', now, campaign.id, {}));
		if (result !== 'ok') throw new ConflictError(`campaign "${campaign.id}" already exists; use updateCampaign to change it`);
		return this.remember(campaign).campaign;
	}

	async updateCampaign(id: string, patch: CampaignPatch): Promise<Campaign> {
		const campaignId = identifier(id, 'id');
		const changes = requireObject(patch, 'patch');
		if ('id' in changes && changes.id !== campaignId) throw new InvalidArgumentError('id', 'a campaign id cannot change');
		for (let attempt = 0; attempt < MAX_STALE_RETRIES; attempt++) {
			const previous = await this.store.getCampaign(campaignId);
			if (!previous) throw new NotFoundError('campaign', campaignId);
			const base = definitionOf(previous);
			const merged: CampaignDefinition = { ...base, ...(changes as CampaignPatch), id: campaignId };
			for (const part of ['validity', 'limits', 'rules', 'code'] as const) {
				const p = (changes as Record<string, unknown>)[part];
				if (p && typeof p === 'object') (merged as unknown as Record<string, unknown>)[part] = { ...base[part], ...p };
			}
			const now = this.now();
			const next = defineCampaign(merged, now, previous);
			const result = await this.store.putCampaign(next, previous.version, this.plainEvent('campaign_updated', now, campaignId, {
				version: next.version,
			}));
			if (result === 'ok') return this.remember(next).campaign;
		}
		throw new ConflictError(`campaign "${campaignId}" is being changed by someone else; try again`);
	}

	async getCampaign(id: string): Promise<Campaign | null> {
		const c = await this.store.getCampaign(identifier(id, 'id'));
		if (c) this.remember(c);
		return c;
	}

	async listCampaigns(): Promise<Campaign[]> {
		const list = await this.store.listCampaigns();
		for (const c of list) this.remember(c);
		this.lastRefresh = this.now();
		return list;
	}

	private remember(campaign: Campaign): LoadedCampaign {
		const known = this.campaigns.get(campaign.id);
		if (known && known.campaign.version === campaign.version) return known;
		const format = compileFormat(campaign.code, 'code');
		const loaded = {
			campaign,
			format,
			generator: known?.generator ?? new CodeGenerator(format),
			keyOf: keyMaker(format),
			limits: Object.freeze(limitsOf(campaign)),
		};
		this.campaigns.set(campaign.id, loaded);
		return loaded;
	}

	private async loadCampaign(id: string, fresh = false): Promise<LoadedCampaign | null> {
		if (!fresh) {
			const known = this.campaigns.get(id);
			if (known) return known;
		}
		const c = await this.store.getCampaign(id);
		if (!c) {
			this.campaigns.delete(id);
			return null;
		}
		return this.remember(c);
	}

	private async requireCampaign(id: string, fresh = false): Promise<LoadedCampaign> {
		const loaded = await this.loadCampaign(id, fresh);
		if (!loaded) throw new NotFoundError('campaign', id);
		return loaded;
	}

	// ---------- issue ----------

	async issue(input: IssueInput): Promise<IssueResult> {
		const args = requireObject(input, 'input');
		const campaignId = identifier(args.campaignId, 'campaignId');
		const customerId = optionalString(args.customerId, 'customerId');
		const email = normaliseEmail(args.email);
		const channel = optionalString(args.channel, 'channel', 64);
		const metadata = optionalObject(args.metadata, 'metadata') ?? {};
		const idemKey = optionalString(args.idempotencyKey, 'idempotencyKey');
		const fp = idemKey ? fingerprint('issue', [campaignId, customerId, email, channel, metadata]) : '';

		let loaded = await this.requireCampaign(campaignId);
		for (let attempt = 0; attempt < MAX_CODE_ATTEMPTS + MAX_STALE_RETRIES; attempt++) {
			const now = this.now();
			const campaign = loaded.campaign;
			const early = campaignTiming(campaign, now) ?? (channelAllowed(campaign, channel) ? null : 'CHANNEL_NOT_ALLOWED');
			if (early) {
				const newer = attempt < MAX_STALE_RETRIES ? await this.newer(loaded) : null;
				if (newer) {
					loaded = newer;
					continue;
				}
				const claim = idemKey ? { op: 'issue' as const, key: idemKey, fingerprint: fp } : undefined;
				const prior = await this.reject<IssueOutcome>(early, now, { campaignId, code: null, customerId, channel, keys: [], source: null }, { claim });
				if (prior?.status === 'issued') return this.issueResult(prior.code, campaign, prior.eventId);
				if (prior?.status === 'rejected') return { ok: false, reason: prior.reason, message: issueMessage(prior.reason) };
				return { ok: false, reason: early, message: issueMessage(early) };
			}
			const display = loaded.generator.next();
			const code: StoredCode = {
				key: loaded.keyOf(display),
				code: display,
				campaignId,
				customerId,
				email,
				channel,
				issuedAt: now,
				expiresAt: codeExpiry(campaign, now),
				voidedAt: null,
				redemptions: 0,
				reserved: 0,
				metadata,
			};
			const outcome = await this.store.issue({
				limits: loaded.limits,
				code,
				now,
				event: this.draft(now, { campaignId, code: display, customerId: customerId ?? email, channel, data: { expiresAt: iso(code.expiresAt) } }),
				idempotency: idemKey ? { key: idemKey, fingerprint: fp } : undefined,
			});
			switch (outcome.status) {
				case 'issued':
					return this.issueResult(outcome.code, campaign, outcome.eventId);
				case 'rejected':
					return { ok: false, reason: outcome.reason, message: issueMessage(outcome.reason) };
				case 'conflict':
					throw new IdempotencyConflictError(idemKey ?? '');
				case 'stale':
					loaded = await this.requireCampaign(campaignId, true);
					break;
				case 'duplicate':
					break;
			}
		}
		throw new StoreError(
			`could not find a free code in campaign "${campaignId}" after ${MAX_CODE_ATTEMPTS} tries; the code space is nearly full`,
			false,
		);
	}

	private issueResult(code: StoredCode, campaign: Campaign, eventId = ''): IssueResult {
		return {
			ok: true,
			code: code.code,
			campaignId: code.campaignId,
			customerId: code.customerId,
			email: code.email,
			channel: code.channel,
			issuedAt: new Date(code.issuedAt).toISOString(),
			expiresAt: iso(code.expiresAt),
			discount: campaign.discount,
			eventId,
		};
	}

	// ---------- validate / redeem / reserve ----------

	private readUse(input: unknown, withOrder: boolean): UseContext {
		const args = requireObject(input, 'input');
		const raw = requiredString(args.code, 'code', 128);
		const key = normaliseCode(raw);
		if (key === '') throw new InvalidArgumentError('code', 'is required');
		const customerId = optionalString(args.customerId, 'customerId');
		const email = normaliseEmail(args.email);
		const currency = optionalString(args.currency, 'currency', 8);
		if (currency !== null && !/^[A-Za-z]{3}$/.test(currency)) {
			throw new InvalidArgumentError('currency', `"${currency}" is not a 3-letter ISO currency code such as EUR`);
		}
		return {
			key,
			display: raw.trim(),
			customerId,
			email,
			keys: customerKeys(customerId, email),
			source: optionalString(args.source, 'source', 128),
			channel: optionalString(args.channel, 'channel', 64),
			orderAmount: optionalNumber(args.orderAmount, 'orderAmount', { min: 0 }),
			currency: currency === null ? null : currency.toUpperCase(),
			segments: optionalStringList(args.segments, 'segments'),
			firstOrder: optionalBoolean(args.firstOrder, 'firstOrder'),
			orderId: withOrder ? optionalString(args.orderId, 'orderId') : null,
			idempotencyKey: withOrder ? optionalString(args.idempotencyKey, 'idempotencyKey') : null,
		};
	}

	private abuseKeys(use: UseContext): string[] {
		const keys = use.keys.map((k) => `customer:${k}`);
		if (use.source) keys.push(`source:${use.source}`);
		return keys;
	}

	/**
	 * Finds the campaign a typed code belongs to, or the reason it cannot be one. A typo caught by the check
	 * character is attributed to the campaign when only one campaign's codes have that shape. With `guess`,
	 * a code only one known campaign's format fits is taken to be of that campaign without asking the store
	 * (`guessed`): the store's redeem confirms it, and `confirm` settles it when it does not.
	 */
	private resolve(use: UseContext, now: number, guess = false): Resolution | Promise<Resolution> {
		const candidates = this.candidates(use.key);
		if (candidates.length === 0 && now - this.lastRefresh >= CAMPAIGN_REFRESH_MS) {
			return this.listCampaigns().then(() => this.resolveOrAsk(this.candidates(use.key), use, guess));
		}
		return this.resolveOrAsk(candidates, use, guess);
	}

	/**
	 * A shape or check character that no campaign known here accepts may be that of a campaign another engine
	 * has made since: before such a refusal, the store says whose the code is.
	 */
	private resolveOrAsk(candidates: LoadedCampaign[], use: UseContext, guess: boolean): Resolution | Promise<Resolution> {
		const local = this.resolveAmong(candidates, use, guess);
		if (local instanceof Promise || !('reason' in local)) return local;
		return this.confirm(use.key).then((loaded): Resolution => (loaded ? { loaded, guessed: false } : local));
	}

	private resolveAmong(candidates: LoadedCampaign[], use: UseContext, guess: boolean): Resolution | Promise<Resolution> {
		if (candidates.length === 0) return { reason: 'BAD_FORMAT', campaignId: null };
		if (!candidates.some((c) => checkOk(use.key, c.format))) {
			return { reason: 'BAD_CHECK_CHARACTER', campaignId: candidates.length === 1 ? candidates[0].campaign.id : null };
		}
		if (guess && candidates.length === 1) return { loaded: candidates[0], guessed: true };
		if (guess && use.idempotencyKey === null) {
			// Codes of one shape from several campaigns usually come in runs of one campaign: once two lookups in
			// a row agreed, take the next to be of that campaign too. A wrong guess costs one round more than a lookup.
			// Not with an idempotency key: another campaign may hold the same key for another call.
			const last = this.lastOfShape.get(shapeOf(candidates));
			const pick = last?.agreed ? candidates.find((c) => c.campaign.id === last.campaignId) : undefined;
			if (pick) return { loaded: pick, guessed: true };
		}
		return this.confirm(use.key).then((loaded): Resolution => (loaded ? { loaded, guessed: false } : { reason: 'NOT_FOUND', campaignId: null }));
	}

	/** The campaign the store files the code under, or null when it holds no such code. */
	private async confirm(key: string): Promise<LoadedCampaign | null> {
		const campaignId = await this.store.campaignOfCode(key);
		if (campaignId === null) return null;
		const candidates = this.candidates(key);
		if (candidates.length > 1) {
			const shape = shapeOf(candidates);
			this.lastOfShape.set(shape, { campaignId, agreed: this.lastOfShape.get(shape)?.campaignId === campaignId });
		}
		return this.loadCampaign(campaignId);
	}

	private candidates(key: string): LoadedCampaign[] {
		const out: LoadedCampaign[] = [];
		for (const loaded of this.campaigns.values()) if (matchesFormat(key, loaded.format)) out.push(loaded);
		return out;
	}

	/** The rule a use breaks, if any; asks the store only when a rule needs the customer's profile. */
	private checkRules(loaded: LoadedCampaign, use: UseContext, now: number): RejectionReason | null | Promise<RejectionReason | null> {
		const campaign = loaded.campaign;
		const facts = { now, channel: use.channel, orderAmount: use.orderAmount, currency: use.currency, segments: use.segments, firstOrder: use.firstOrder };
		const needSegments = campaign.rules.segments.length > 0 && use.segments === null;
		const needFirst = campaign.rules.firstOrderOnly && use.firstOrder === null;
		if ((!needSegments && !needFirst) || (!use.customerId && !use.email)) return checkUseRules(campaign, facts);
		return this.store.getCustomer(use.customerId ? { id: use.customerId } : { email: use.email ?? undefined }).then((profile) =>
			checkUseRules(campaign, {
				...facts,
				segments: use.segments ?? profile?.tags ?? null,
				firstOrder: use.firstOrder ?? (profile ? profile.orderCount === 0 : null),
			}),
		);
	}

	async validate(input: ValidateInput): Promise<ValidateResult> {
		const use = this.readUse(input, false);
		const now = this.now();
		const rejected = ({ reason, campaignId }: Refusal): ValidateResult => ({
			valid: false,
			code: use.display,
			campaignId,
			reason,
			message: reasonMessage(reason),
		});
		const abuseKeys = this.abuseKeys(use);
		// A blocked caller hears BLOCKED whatever the code. Finding the campaign and checking the rules write
		// nothing, so they go first: a code that passes them has its blocks read with its use, in one store
		// read; one that fails has them read before the failure is told and counted.
		// As a redeem does, a code whose shape only one campaign has is read in that campaign straight away: the
		// read tells when the code is another campaign's, or nobody's.
		const resolving = this.resolve(use, now, true);
		const resolved = resolving instanceof Promise ? await resolving : resolving;
		if ('reason' in resolved) return rejected(await this.refusedUnlessBlocked(use, abuseKeys, resolved.reason, resolved.campaignId, now));
		let { loaded: found, guessed } = resolved;
		// The campaign may have been changed by another engine on the same store: each answer is checked
		// against the stored version, and given again from the stored campaign when they differ.
		for (let attempt = 0; ; attempt++) {
			const campaign = found.campaign;
			const lastTry = attempt >= MAX_STALE_RETRIES;
			const checking = this.checkRules(found, use, now);
			const ruleFailure = checking instanceof Promise ? await checking : checking;
			if (ruleFailure) {
				const next = await this.afterRuleFailure(use, abuseKeys, found, guessed, lastTry, now);
				guessed = false;
				if (next === null) return rejected(await this.refused(use, ruleFailure, campaign.id, now));
				if ('told' in next) return rejected(next.told);
				found = next.retry;
				continue;
			}
			const usage = await this.store.usage({ campaignId: campaign.id, codeKey: use.key, customerKeys: use.keys, now, abuseKeys });
			if (usage.blockedUntil !== null) return rejected(await this.refusedBlocked(use, now));
			if (usage.code && usage.code.campaignId !== campaign.id && !lastTry) {
				const actual = await this.loadCampaign(usage.code.campaignId);
				if (actual) {
					found = actual;
					guessed = false;
					continue;
				}
			}
			if (usage.campaignVersion !== null && usage.campaignVersion !== campaign.version) {
				if (lastTry) throw new ConflictError(`campaign "${campaign.id}" keeps changing; try again`);
				const newer = await this.loadCampaign(campaign.id, true);
				if (newer) {
					found = newer;
					continue;
				}
			}
			const fail = async (reason: RejectionReason) => rejected(await this.refused(use, reason, campaign.id, now));
			const code = usage.code;
			if (!code) return rejected(await this.refused(use, 'NOT_FOUND', null, now));
			if (code.campaignId !== campaign.id) return fail('NOT_FOUND');
			if (code.voidedAt !== null) return fail('VOIDED');
			if (code.expiresAt !== null && code.expiresAt <= now) return fail('EXPIRED');
			if ((code.customerId || code.email) && !(use.customerId && use.customerId === code.customerId) && !(use.email && use.email === code.email)) {
				return fail('NOT_ASSIGNED');
			}
			const used = code.redemptions + code.reserved;
			if (used >= campaign.limits.perCode) return fail('CODE_LIMIT_REACHED');
			if (campaign.limits.perCustomer !== null && usage.customerUsed >= campaign.limits.perCustomer) return fail('CUSTOMER_LIMIT_REACHED');
			if (campaign.limits.total !== null && usage.campaignUsed >= campaign.limits.total) return fail('CAMPAIGN_LIMIT_REACHED');
			return {
				valid: true,
				code: code.code,
				campaignId: campaign.id,
				discount: campaign.discount,
				discountAmount: discountAmount(campaign.discount, use.orderAmount),
				expiresAt: iso(code.expiresAt),
				remainingUses: campaign.limits.perCode - used,
			};
		}
	}

	/**
	 * Settles a use the rules of `loaded` refuse, before the refusal is told: a guessed campaign is confirmed
	 * first (the code may be another campaign's, or nobody's), then the caller's blocks and the stored
	 * campaign's version are read together. `retry` with another campaign, `told` when a refusal other than
	 * the rules' was recorded (NOT_FOUND, BLOCKED), or null: the rules' refusal stands.
	 */
	private async afterRuleFailure(
		use: UseContext,
		abuseKeys: string[],
		loaded: LoadedCampaign,
		guessed: boolean,
		lastTry: boolean,
		now: number,
	): Promise<{ retry: LoadedCampaign } | { told: Refusal } | null> {
		if (guessed) {
			const actual = await this.confirm(use.key);
			if (!actual) return { told: await this.refusedUnlessBlocked(use, abuseKeys, 'NOT_FOUND', null, now) };
			if (actual.campaign.id !== loaded.campaign.id) return { retry: actual };
		}
		const [newer, blocked] = await Promise.all([lastTry ? null : this.newer(loaded), this.isBlocked(abuseKeys, now)]);
		if (blocked) return { told: await this.refusedBlocked(use, now) };
		return newer ? { retry: newer } : null;
	}

	/**
	 * The stored campaign when another engine on the same store has changed it since this one loaded it, else
	 * null. A refusal by the rules is told only after this check: the stored campaign may allow the use.
	 */
	private async newer(loaded: LoadedCampaign): Promise<LoadedCampaign | null> {
		const version = await this.store.campaignVersion(loaded.campaign.id);
		if (version === null || version === loaded.campaign.version) return null;
		return this.loadCampaign(loaded.campaign.id, true);
	}

	private who(use: UseContext): { customerId: string | null; channel: string | null; keys: string[]; source: string | null } {
		return { customerId: use.customerId ?? use.email, channel: use.channel, keys: this.abuseKeys(use), source: use.source };
	}

	async redeem(input: RedeemInput): Promise<RedeemResult> {
		return this.use(this.readUse(input, true), null) as Promise<RedeemResult>;
	}

	async reserve(input: ReserveInput): Promise<ReserveResult> {
		const use = this.readUse(input, true);
		const ttl = optionalNumber((input as unknown as Record<string, unknown>).ttlSeconds, 'ttlSeconds', {
			min: 1,
			max: 7 * 24 * 3600,
			integer: true,
		});
		return this.use(use, ttl === null ? this.reservationTtlMs : ttl * 1000) as Promise<ReserveResult>;
	}

	/** Records a refusal of a use (counted by the abuse guard) and answers it. */
	private async refused(use: UseContext, reason: RejectionReason, campaignId: string | null, now: number): Promise<Refusal> {
		await this.reject(reason, now, { campaignId, code: use.display, ...this.who(use) });
		return { reason, campaignId };
	}

	/** Records a use refused because the caller is blocked (not counted again) and answers it. */
	private async refusedBlocked(use: UseContext, now: number): Promise<Refusal> {
		await this.reject('BLOCKED', now, { campaignId: null, code: use.display, ...this.who(use) }, { counts: false });
		return { reason: 'BLOCKED', campaignId: null };
	}

	// Every answer the engine gives without the store's redeem is BLOCKED first while the caller is blocked;
	// on the way through the store, the store checks the block in the same transaction.
	private async refusedUnlessBlocked(use: UseContext, abuseKeys: string[], reason: RejectionReason, campaignId: string | null, now: number): Promise<Refusal> {
		return (await this.isBlocked(abuseKeys, now)) ? this.refusedBlocked(use, now) : this.refused(use, reason, campaignId, now);
	}

	private async isBlocked(abuseKeys: string[], now: number): Promise<boolean> {
		return abuseKeys.length > 0 && (await this.store.blockedUntil(abuseKeys, now)) !== null;
	}

	private useRejected(use: UseContext, { reason, campaignId }: Refusal): RedeemResult {
		return { ok: false, reason, message: reasonMessage(reason), code: use.display, campaignId };
	}

	private async use(use: UseContext, holdMs: number | null): Promise<RedeemResult | ReserveResult> {
		const op = holdMs === null ? ('redeem' as const) : ('reserve' as const);
		const abuseKeys = this.abuseKeys(use);
		const now0 = this.now();
		// Most codes resolve and pass the rules without the store: await only a promise, which spares the
		// common case a promise and a turn of the microtask queue each.
		const resolving = this.resolve(use, now0, true);
		const found = resolving instanceof Promise ? await resolving : resolving;
		if ('reason' in found) return this.useRejected(use, await this.refusedUnlessBlocked(use, abuseKeys, found.reason, found.campaignId, now0));
		let { loaded, guessed } = found;
		const fp = use.idempotencyKey
			? fingerprint(op, [use.key, use.customerId, use.email, use.orderId, use.orderAmount, use.currency, use.channel, holdMs])
			: '';
		const idempotency: IdempotencyClaim | undefined = use.idempotencyKey ? { key: use.idempotencyKey, fingerprint: fp } : undefined;
		// A wrong guess of the campaign costs one more round, as does a campaign changed meanwhile.
		for (let attempt = 0; attempt <= MAX_STALE_RETRIES + 1; attempt++) {
			const now = this.now();
			const campaign = loaded.campaign;
			const checking = this.checkRules(loaded, use, now);
			const ruleFailure = checking instanceof Promise ? await checking : checking;
			if (ruleFailure) {
				const next = await this.afterRuleFailure(use, abuseKeys, loaded, guessed, attempt >= MAX_STALE_RETRIES, now);
				guessed = false;
				if (next !== null) {
					if ('told' in next) return this.useRejected(use, next.told);
					loaded = next.retry;
					continue;
				}
				const claim = idempotency && { op, ...idempotency };
				const prior = await this.reject<RedeemOutcome>(ruleFailure, now, { campaignId: campaign.id, code: use.display, ...this.who(use) }, { claim });
				if (prior) return this.useResult(prior, use, campaign);
				return this.useRejected(use, { reason: ruleFailure, campaignId: campaign.id });
			}
			const req: RedeemRequest = {
				limits: loaded.limits,
				codeKey: use.key,
				customerKeys: use.keys,
				customerId: use.customerId,
				email: use.email,
				orderId: use.orderId,
				unitId: unitId(campaign.id),
				now,
				event: this.draft(now, {
					campaignId: campaign.id,
					code: use.display,
					customerId: use.customerId ?? use.email,
					channel: use.channel,
					amount: use.orderAmount,
					data: use.orderId ? { orderId: use.orderId } : {},
				}),
				idempotency,
				abuseKeys,
			};
			const outcome =
				holdMs === null ? await this.store.redeem(req) : await this.store.reserve({ ...req, holdUntil: now + holdMs });
			switch (outcome.status) {
				case 'conflict': {
					// The key may be taken in a campaign guessed from the code's shape, for another call there.
					const actual = guessed ? await this.confirm(use.key) : loaded;
					guessed = false;
					if (!actual) return this.useRejected(use, await this.refusedUnlessBlocked(use, abuseKeys, 'NOT_FOUND', null, now));
					if (actual.campaign.id !== campaign.id) {
						loaded = actual;
						continue;
					}
					throw new IdempotencyConflictError(use.idempotencyKey ?? '');
				}
				case 'stale':
					loaded = await this.requireCampaign(campaign.id, true);
					continue;
				case 'blocked':
					return this.useRejected(use, await this.refusedBlocked(use, now));
				case 'missing': {
					const actual = guessed ? await this.confirm(use.key) : null;
					guessed = false;
					if (actual && actual.campaign.id !== campaign.id) {
						loaded = actual;
						continue;
					}
					return this.useRejected(use, await this.refusedUnlessBlocked(use, abuseKeys, 'NOT_FOUND', null, now));
				}
				default:
					return this.useResult(outcome, use, campaign);
			}
		}
		throw new ConflictError(`campaign "${loaded.campaign.id}" keeps changing; try again`);
	}

	private useResult(outcome: RedeemOutcome, use: UseContext, campaign: Campaign): RedeemResult | ReserveResult {
		if (outcome.status === 'rejected') {
			return { ok: false, reason: outcome.reason, message: reasonMessage(outcome.reason), code: use.display, campaignId: campaign.id };
		}
		if (outcome.status === 'redeemed') {
			return {
				ok: true,
				redemptionId: outcome.unitId,
				code: outcome.code.code,
				campaignId: campaign.id,
				orderId: use.orderId,
				discount: campaign.discount,
				discountAmount: discountAmount(campaign.discount, use.orderAmount),
				redeemedAt: isoAt(outcome.at),
			};
		}
		if (outcome.status === 'reserved') {
			return {
				ok: true,
				reservationId: outcome.unitId,
				code: outcome.code.code,
				campaignId: campaign.id,
				expiresAt: isoAt(outcome.holdUntil ?? outcome.at),
				discount: campaign.discount,
				discountAmount: discountAmount(campaign.discount, use.orderAmount),
			};
		}
		throw new StoreError(`the store answered "${outcome.status}" where a result was expected`, false);
	}

	// ---------- commit / release / rollback / void ----------

	private readUnit(value: unknown, field: string): { id: string; campaignId: string } {
		const id = requiredString(value, field, 200);
		const campaignId = campaignOfUnit(id);
		if (campaignId === null) throw new InvalidArgumentError(field, `"${id}" is not an id returned by Coupon Kit`);
		return { id, campaignId };
	}

	private async finish(
		op: 'commit' | 'release' | 'rollback',
		field: 'reservationId' | 'redemptionId',
		input: unknown,
	): Promise<FinishOutcome & { unit: string }> {
		const args = requireObject(input, 'input');
		const unit = this.readUnit(args[field], field);
		const idemKey = optionalString(args.idempotencyKey, 'idempotencyKey');
		const reason = optionalString(args.reason, 'reason', 500) ?? undefined;
		const orderId = optionalString(args.orderId, 'orderId');
		const now = this.now();
		const req = {
			unitId: unit.id,
			now,
			event: this.draft(now, { campaignId: unit.campaignId, data: { ...(reason ? { reason } : {}), ...(orderId ? { orderId } : {}) } }),
			reason,
			// The order id counts only when given, so that a retry without one still matches a record an older
			// version kept, which left it out.
			idempotency: idemKey ? { key: idemKey, fingerprint: fingerprint(op, orderId === null ? [unit.id, reason ?? null] : [unit.id, reason ?? null, orderId]) } : undefined,
		};
		const outcome = await this.store[op](req);
		if (outcome.status === 'conflict') throw new IdempotencyConflictError(idemKey ?? '');
		return { ...outcome, unit: unit.id };
	}

	async commit(input: FinishReservationInput): Promise<CommitResult> {
		const out = await this.finish('commit', 'reservationId', input);
		if (out.status === 'rejected') return { ok: false, reason: out.reason, message: reasonMessage(out.reason), reservationId: out.unit };
		if (out.status !== 'done') throw new StoreError('unexpected store answer', false);
		const campaign = (await this.requireCampaign(out.campaignId)).campaign;
		return {
			ok: true,
			redemptionId: out.unitId,
			code: out.code,
			campaignId: out.campaignId,
			orderId: out.orderId ?? optionalString((input as unknown as Record<string, unknown>).orderId, 'orderId'),
			discount: campaign.discount,
			discountAmount: discountAmount(campaign.discount, out.amount),
			redeemedAt: new Date(out.at).toISOString(),
		};
	}

	async release(input: FinishReservationInput): Promise<ReleaseResult> {
		const out = await this.finish('release', 'reservationId', input);
		if (out.status === 'rejected') return { ok: false, reason: out.reason, message: reasonMessage(out.reason), reservationId: out.unit };
		if (out.status !== 'done') throw new StoreError('unexpected store answer', false);
		return { ok: true, reservationId: out.unitId, releasedAt: new Date(out.at).toISOString() };
	}

	async rollback(input: RollbackInput): Promise<RollbackResult> {
		const out = await this.finish('rollback', 'redemptionId', input);
		if (out.status === 'rejected') return { ok: false, reason: out.reason, message: reasonMessage(out.reason), redemptionId: out.unit };
		if (out.status !== 'done') throw new StoreError('unexpected store answer', false);
		return { ok: true, redemptionId: out.unitId, code: out.code, campaignId: out.campaignId, rolledBackAt: new Date(out.at).toISOString() };
	}

	async void(input: VoidInput): Promise<VoidResult> {
		const args = requireObject(input, 'input');
		const raw = requiredString(args.code, 'code', 128);
		const key = normaliseCode(raw);
		const reason = optionalString(args.reason, 'reason', 500) ?? undefined;
		const idemKey = optionalString(args.idempotencyKey, 'idempotencyKey');
		const campaignId = await this.store.campaignOfCode(key);
		if (campaignId === null) return { ok: false, reason: 'NOT_FOUND', message: reasonMessage('NOT_FOUND'), code: raw };
		const now = this.now();
		const outcome = await this.store.void({
			codeKey: key,
			now,
			event: this.draft(now, { campaignId, code: raw, data: reason ? { reason } : {} }),
			reason,
			idempotency: idemKey ? { key: idemKey, fingerprint: fingerprint('void', [key, reason ?? null]) } : undefined,
		});
		if (outcome.status === 'conflict') throw new IdempotencyConflictError(idemKey ?? '');
		if (outcome.status === 'rejected') return { ok: false, reason: outcome.reason, message: reasonMessage(outcome.reason), code: raw };
		return { ok: true, code: outcome.code.code, campaignId, voidedAt: new Date(outcome.at).toISOString() };
	}

	async markDelivered(input: DeliveredInput): Promise<LedgerEvent> {
		const args = requireObject(input, 'input');
		const key = normaliseCode(requiredString(args.code, 'code', 128));
		const channel = requiredString(args.channel, 'channel', 64);
		const recipient = optionalString(args.recipient, 'recipient');
		const metadata = optionalObject(args.metadata, 'metadata') ?? {};
		const now = this.now();
		const code = await this.store.getCode(key, now);
		if (!code) throw new NotFoundError('code', key);
		const event: LedgerEvent = {
			...this.draft(now, {
				campaignId: code.campaignId,
				code: code.code,
				customerId: code.customerId ?? code.email,
				channel,
				data: { ...metadata, ...(recipient ? { recipient } : {}) },
			}),
			type: 'delivered',
			count: 1,
			reason: null,
		};
		await this.store.appendEvent(event);
		return event;
	}

	async getCode(code: string): Promise<CodeInfo | null> {
		const key = normaliseCode(requiredString(code, 'code', 128));
		const now = this.now();
		const stored = await this.store.getCode(key, now);
		if (!stored) return null;
		const known = await this.loadCampaign(stored.campaignId);
		const campaign = (known && ((await this.newer(known)) ?? known))?.campaign;
		const perCode = campaign?.limits.perCode ?? 1;
		const used = stored.redemptions + stored.reserved;
		// A campaign end moved before the code's own expiry ends the code too, as validate and redeem tell.
		const end = campaign?.validity.endsAt ?? null;
		const expiresAt = end !== null && (stored.expiresAt === null || end < stored.expiresAt) ? end : stored.expiresAt;
		const state =
			stored.voidedAt !== null
				? 'voided'
				: stored.redemptions >= perCode
					? 'redeemed'
					: expiresAt !== null && expiresAt <= now
						? 'expired'
						: 'active';
		return {
			code: stored.code,
			campaignId: stored.campaignId,
			state,
			customerId: stored.customerId,
			email: stored.email,
			channel: stored.channel,
			issuedAt: new Date(stored.issuedAt).toISOString(),
			expiresAt: iso(expiresAt),
			redemptions: stored.redemptions,
			reserved: stored.reserved,
			remainingUses: state === 'active' ? Math.max(0, perCode - used) : 0,
			voidedAt: iso(stored.voidedAt),
			metadata: stored.metadata,
		};
	}

	// ---------- bulk generation ----------

	generate(input: GenerateInput): AsyncIterable<string[]> {
		const args = requireObject(input, 'input');
		const campaignId = identifier(args.campaignId, 'campaignId');
		const count = optionalNumber(args.count, 'count', { min: 1, max: 10_000_000, integer: true });
		if (count === null) throw new InvalidArgumentError('count', 'is required');
		const batchSize = optionalNumber(args.batchSize, 'batchSize', { min: 1, max: 100_000, integer: true }) ?? 10_000;
		const channel = optionalString(args.channel, 'channel', 64);
		return this.generateBatches(campaignId, count, batchSize, channel);
	}

	private async *generateBatches(campaignId: string, count: number, batchSize: number, channel: string | null): AsyncGenerator<string[]> {
		let loaded = await this.requireCampaign(campaignId, true);
		const limits = loaded.limits;
		const endsAt = loaded.campaign.validity.endsAt;
		if (endsAt !== null && endsAt <= this.now()) {
			// Every code would be expired when made; a paused or not yet started campaign may stock up.
			throw new InvalidArgumentError('campaignId', `campaign "${campaignId}" ended at ${isoAt(endsAt)}; move its end before generating codes`);
		}
		const already = await this.store.issuedCount(campaignId);
		if (limits.issuance !== null && already + count > limits.issuance) {
			throw new InvalidArgumentError(
				'count',
				`campaign "${campaignId}" may issue ${Math.max(0, limits.issuance - already)} more codes, not ${count}`,
			);
		}
		let made = 0;
		let dryRuns = 0;
		let pool: StoredCode[] = new Array(Math.min(batchSize, count));
		while (made < count) {
			const now = this.now();
			const want = Math.min(batchSize, count - made);
			// Repeated keys (in the batch or already stored) are skipped by the store and made up next round.
			// The code objects are reused from batch to batch: a million short-lived objects would make the
			// heap grow far beyond what the batches hold.
			const codes = pool.length === want ? pool : (pool = pool.slice(0, want));
			const expiresAt = codeExpiry(loaded.campaign, now);
			for (let i = 0; i < want; i++) {
				const display = loaded.generator.next();
				let c = codes[i];
				if (!c) {
					c = codes[i] = {
						key: '', code: '', campaignId, customerId: null, email: null, channel,
						issuedAt: 0, expiresAt: null, voidedAt: null, redemptions: 0, reserved: 0, metadata: NO_METADATA,
					};
				}
				c.key = loaded.keyOf(display);
				c.code = display;
				c.issuedAt = now;
				c.expiresAt = expiresAt;
			}
			const outcome = await this.store.insertGenerated({
				limits: loaded.limits,
				codes,
				now,
				event: this.draft(now, { campaignId, channel }),
			});
			if (outcome.status === 'stale') {
				loaded = await this.requireCampaign(campaignId, true);
				continue;
			}
			made += outcome.inserted.length;
			if (outcome.inserted.length > 0) {
				dryRuns = 0;
				yield outcome.inserted.map((c) => c.code);
			} else if (++dryRuns > MAX_CODE_ATTEMPTS) {
				throw new StoreError(`the code space of campaign "${campaignId}" is nearly full`, false);
			}
			if (outcome.status === 'rejected') {
				throw new ConflictError(
					`campaign "${campaignId}" reached its issuance limit after ${made} of ${count} codes (another writer issued codes meanwhile)`,
				);
			}
		}
	}

	// ---------- customers ----------

	async upsertCustomer(profile: CustomerProfile): Promise<StoredCustomer> {
		const p = requireObject(profile, 'customer');
		const id = requiredString(p.id, 'id');
		const clean: CustomerProfile & { id: string } = { id };
		if ('email' in p) clean.email = normaliseEmail(p.email);
		if ('phone' in p) clean.phone = optionalString(p.phone, 'phone', 32);
		for (const field of ['birthday', 'renewalDate'] as const) {
			if (!(field in p)) continue;
			const value = optionalString(p[field], field, 10);
			if (value !== null && !/^(\d{4}-|--)\d{2}-\d{2}$/.test(value)) {
				throw new InvalidArgumentError(field, `"${value}" must look like 1990-04-17 (or --04-17 without a year)`);
			}
			if (value !== null && !DateTime.fromISO(value.replace(/^--/, '2000-')).isValid) {
				throw new InvalidArgumentError(field, `"${value}" is not a calendar date`);
			}
			clean[field] = value;
		}
		if ('timeZone' in p) clean.timeZone = p.timeZone === null || p.timeZone === '' ? null : parseZone(p.timeZone, 'timeZone');
		if ('tags' in p) clean.tags = optionalStringList(p.tags, 'tags') ?? [];
		if ('orderCount' in p) clean.orderCount = optionalNumber(p.orderCount, 'orderCount', { min: 0, integer: true }) ?? 0;
		if ('metadata' in p) clean.metadata = optionalObject(p.metadata, 'metadata') ?? {};
		const now = this.now();
		return this.store.upsertCustomer(clean, now, this.plainEvent('customer_upserted', now, null, {}, id));
	}

	async getCustomer(ref: { id?: string; email?: string }): Promise<StoredCustomer | null> {
		const r = requireObject(ref, 'customer');
		const id = optionalString(r.id, 'id');
		const email = normaliseEmail(r.email);
		if (!id && !email) throw new InvalidArgumentError('id', 'give a customer id or an email');
		return this.store.getCustomer(id ? { id } : { email: email ?? undefined });
	}

	// ---------- ledger and analytics ----------

	async events(query: EventsQuery = {}): Promise<EventsPage> {
		const q = requireObject(query, 'query');
		const limit = optionalNumber(q.limit, 'limit', { min: 1, max: 1000, integer: true }) ?? 100;
		const types = optionalStringList(q.types, 'types');
		for (const t of types ?? []) {
			if (!LEDGER_TYPES.includes(t as LedgerEventType)) throw new InvalidArgumentError('types', `"${t}" is not an event type`);
		}
		const campaignId = q.campaignId === undefined || q.campaignId === null || q.campaignId === '' ? undefined : identifier(q.campaignId, 'campaignId');
		return this.store.events({
			after: optionalString(q.after, 'after', 4096) ?? undefined,
			limit,
			campaignId,
			types: types as LedgerEventType[] | undefined,
		});
	}

	async stats(query: StatsQuery = {}): Promise<Stats> {
		const q = requireObject(query, 'query');
		const campaignId = q.campaignId === undefined || q.campaignId === null || q.campaignId === '' ? undefined : identifier(q.campaignId, 'campaignId');
		const zone = parseZone(q.zone, 'zone');
		const from = readTime(q.from, 'from', zone) ?? 0;
		const to = readTime(q.to, 'to', zone) ?? this.now() + 1;
		if (to <= from) throw new InvalidArgumentError('to', 'must be after from');
		const groupBy = q.groupBy;
		if (groupBy !== undefined && groupBy !== 'day' && groupBy !== 'channel' && groupBy !== 'campaign') {
			throw new InvalidArgumentError('groupBy', 'must be "day", "channel" or "campaign"');
		}
		const hour = 3_600_000;
		const rows = await this.store.statRows({
			campaignId,
			fromHour: Math.floor(from / hour) * hour,
			toHour: Math.ceil(to / hour) * hour,
		});
		return aggregateStats(rows, groupBy, zone);
	}

	async expireDue(options: { limit?: number } = {}): Promise<{ expired: number; more: boolean }> {
		const o = requireObject(options, 'options');
		const limit = optionalNumber(o.limit, 'limit', { min: 1, max: 10_000, integer: true }) ?? 1000;
		return this.store.expireDue({ now: this.now(), eventIds: Array.from({ length: limit }, () => newId()) });
	}

	async audit(campaignId: string): Promise<AuditReport> {
		const id = identifier(campaignId, 'campaignId');
		await this.requireCampaign(id, true);
		const c = await this.store.audit(id);
		const problems: string[] = [];
		const same = (a: number, b: number, what: string) => {
			if (a !== b) problems.push(`${what}: ${a} ≠ ${b}`);
		};
		same(c.codes, c.issuedCounter, 'stored codes vs issued counter');
		same(c.issuedCounter, c.ledgerIssued, 'issued counter vs ledger');
		same(c.redeemedCounter, c.codeRedemptions, 'redeemed counter vs sum over codes');
		same(c.redeemedCounter, c.standingRedemptions, 'redeemed counter vs standing redemptions');
		same(c.redeemedCounter, c.ledgerRedeemed, 'redeemed counter vs ledger');
		return { campaignId: id, ...c, consistent: problems.length === 0, problems };
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		await this.store.close();
	}

	// ---------- helpers ----------

	private draft(now: number, fields: Partial<EventDraft>): EventDraft {
		return {
			id: newId(),
			at: isoAt(now),
			campaignId: fields.campaignId ?? null,
			code: fields.code ?? null,
			customerId: fields.customerId ?? null,
			channel: fields.channel ?? null,
			amount: fields.amount ?? null,
			data: fields.data ?? {},
		};
	}

	private plainEvent(
		type: LedgerEventType,
		now: number,
		campaignId: string | null,
		data: Record<string, unknown>,
		customerId: string | null = null,
	): LedgerEvent {
		return { ...this.draft(now, { campaignId, data, customerId }), type, count: 1, reason: null };
	}

	/**
	 * Records a refusal. With `claim`, it is kept under the call's idempotency key as the store keeps its own
	 * refusals; when the key already holds an answer, nothing is written and that answer is returned.
	 */
	private async reject<Outcome = never>(
		reason: RejectionReason,
		now: number,
		who: { campaignId: string | null; code: string | null; customerId: string | null; channel: string | null; keys: string[]; source: string | null },
		options: { counts?: boolean; claim?: RejectionRecord['idempotency'] } = {},
	): Promise<Outcome | null> {
		const { counts = true, claim } = options;
		const abuseKeys = counts && GUESS_REASONS.has(reason) ? who.keys : [];
		const { prior } = await this.store.recordRejection({
			event: this.draft(now, {
				campaignId: who.campaignId,
				code: who.code,
				customerId: who.customerId,
				channel: who.channel,
				data: who.source ? { source: who.source } : {},
			}),
			reason,
			abuseKeys,
			abuse: this.abuse,
			now,
			blockEventIds: abuseKeys.map(() => newId()),
			idempotency: claim,
		});
		if (!prior || !claim) return null;
		if (prior.fingerprint !== claim.fingerprint) throw new IdempotencyConflictError(claim.key);
		return prior.outcome as Outcome;
	}
}

function readTime(value: unknown, field: string, zone: string): number | null {
	if (value === undefined || value === null || value === '') return null;
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) throw new InvalidArgumentError(field, 'must be a date-time');
		return value;
	}
	if (typeof value !== 'string') throw new InvalidArgumentError(field, 'must be an ISO date-time or epoch milliseconds');
	const dt = DateTime.fromISO(value, { zone });
	if (!dt.isValid) throw new InvalidArgumentError(field, `"${value}" is not an ISO date-time`);
	return dt.toMillis();
}

function abuseSettings(o: AbuseOptions): AbuseSettings {
	const threshold = optionalNumber(o.threshold, 'abuse.threshold', { min: 1, integer: true }) ?? 10;
	const windowSeconds = optionalNumber(o.windowSeconds, 'abuse.windowSeconds', { min: 1, integer: true }) ?? 900;
	const cooldownSeconds = optionalNumber(o.cooldownSeconds, 'abuse.cooldownSeconds', { min: 1, integer: true }) ?? 900;
	return { threshold, windowMs: windowSeconds * 1000, cooldownMs: cooldownSeconds * 1000 };
}
