// Campaigns as the stores take them, for the store tests of both stores.
import type { LimitSnapshot, StoredCode } from '../../core/store/types';
import type { Campaign } from '../../core/types';

export const T0 = Date.parse('2027-03-10T12:00:00Z');

/** A campaign of four-symbol codes, one use per code unless `limits` says otherwise. */
export function campaign(id: string, version: number, limits: Partial<Campaign['limits']> = {}): Campaign {
	return {
		id,
		name: id,
		code: { charset: 'ABCDEFGHJK', checkCharacter: false, pattern: '####' },
		discount: { type: 'percent', value: 10 },
		validity: { zone: 'UTC', startsAt: null, endsAt: null, lifetimeDays: null, windows: [] },
		limits: { perCode: 1, perCustomer: null, total: null, issuance: null, ...limits },
		rules: { minOrderAmount: null, currency: null, firstOrderOnly: false, segments: [], channels: [] },
		capacity: { space: 10_000, maxIssued: 100 },
		maxGuessProbability: 0.01,
		metadata: {},
		active: true,
		version,
		createdAt: T0,
		updatedAt: T0,
	};
}

export const limitsOf = (c: Campaign): LimitSnapshot => ({ campaignId: c.id, campaignVersion: c.version, ...c.limits });

/** An unused, unassigned code `key` of campaign `c`, shown as `code`. */
export const plainCode = (c: Campaign, key: string, code = key): StoredCode => ({
	key, code, campaignId: c.id, customerId: null, email: null, channel: null, issuedAt: T0, expiresAt: null, voidedAt: null,
	redemptions: 0, reserved: 0, metadata: {},
});
