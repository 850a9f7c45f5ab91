// Valid arguments for every Coupon operation (host field names), so that junk in one field is the only
// thing wrong with a call. Campaign `spring` exists in the store of the property tests.

const BASE: Record<string, Record<string, unknown>> = {
	'code.issue': { campaignId: 'spring' },
	'code.validate': { code: 'SPRING-AAAA-AAAA' },
	'code.redeem': { code: 'SPRING-AAAA-AAAA' },
	'code.reserve': { code: 'SPRING-AAAA-AAAA' },
	'code.commit': { reservationId: 'res-1' },
	'code.release': { reservationId: 'res-1' },
	'code.rollback': { redemptionId: 'red-1' },
	'code.void': { code: 'SPRING-AAAA-AAAA' },
	'code.get': { code: 'SPRING-AAAA-AAAA' },
	'code.bulkGenerate': { campaignId: 'spring', count: 1 },
	'campaign.create': { campaignId: 'autumn', discountType: 'percent', discountValue: 10 },
	'campaign.update': { campaignId: 'spring', name: 'Spring sale' },
	'campaign.get': { campaignId: 'spring' },
	'campaign.getMany': {},
	'customer.upsert': { customerId: 'ann' },
	'analytics.stats': {},
	'analytics.events': {},
};

const FIXED = { discountType: 'fixed', discountAmount: 5, discountCurrency: 'EUR' };

/** Valid arguments of `resource.operation` around `field`, which the caller fills with junk. */
export function baseline(resource: string, operation: string, field: string): Record<string, unknown> {
	const key = `${resource}.${operation}`;
	const base = BASE[key];
	if (!base) throw new Error(`no baseline for ${key}`);
	const args: Record<string, unknown> = { ...base };
	if (resource === 'campaign' && (operation === 'create' || operation === 'update')) {
		// The discount parts are read for their own discount type only.
		if (field === 'discountAmount' || field === 'discountCurrency') Object.assign(args, FIXED, { discountValue: undefined });
		if (field === 'discountValue' && operation === 'update') args.discountType = 'percent';
		// Update needs one change besides the junk one.
		if (operation === 'update' && field === 'name') Object.assign(args, { name: undefined, active: true });
	}
	delete args[field];
	return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
}
