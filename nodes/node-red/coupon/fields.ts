// The form of the `coupon` node: which host fields each Coupon operation shows, and of what kind.
// The editor reads this table from the runtime (GET /coupon-kit/operations), so the form and the
// operation table in core/hosts/operations.ts stay in one language; the mapped type below fails to
// compile when an operation is added there and not here.
import {
	COUPON_OPERATIONS,
	COUPON_RESOURCES,
	type CouponOperationName,
	type CouponResource,
	FIELD_LABELS,
} from '../../../core/hosts/operations';

export type FieldKind = 'text' | 'number' | 'boolean' | 'json' | 'list' | 'choice';

export interface EditorField {
	name: string;
	kind: FieldKind;
	/** The operation refuses to run without it (shown with a star). */
	required?: boolean;
	choices?: string[];
}

const t = (name: string, required = false): EditorField => ({ name, kind: 'text', required });
const n = (name: string, required = false): EditorField => ({ name, kind: 'number', required });
const b = (name: string): EditorField => ({ name, kind: 'boolean' });
const j = (name: string): EditorField => ({ name, kind: 'json' });
const l = (name: string): EditorField => ({ name, kind: 'list' });
const c = (name: string, choices: string[], required = false): EditorField => ({ name, kind: 'choice', choices, required });

const USE = [t('code', true), t('customerId'), t('email'), n('orderAmount'), t('currency'), t('channel'), l('segments'), b('firstOrder'), t('source')];
const REDEEM = [...USE, t('orderId'), t('idempotencyKey')];

const CAMPAIGN_RULES = [
	t('name'),
	c('discountType', ['percent', 'fixed', 'freeShipping']),
	n('discountValue'),
	n('discountAmount'),
	t('discountCurrency'),
];
const CAMPAIGN_FORMAT = [t('codePattern'), n('codeLength'), t('charset'), t('prefix'), t('postfix'), b('checkCharacter')];
const CAMPAIGN_REST = [
	t('validFrom'),
	t('validUntil'),
	t('timeZone'),
	n('lifetimeDays'),
	j('windows'),
	n('perCode'),
	n('perCustomer'),
	n('totalRedemptions'),
	n('issuanceLimit'),
	n('minOrderAmount'),
	t('orderCurrency'),
	b('firstOrderOnly'),
	l('segments'),
	l('channels'),
	n('maxGuessProbability'),
	j('metadata'),
	b('active'),
];

type FieldTable = { [R in CouponResource]: Record<CouponOperationName<R>, EditorField[]> };

export const OPERATION_FIELDS: FieldTable = {
	code: {
		issue: [t('campaignId', true), t('customerId'), t('email'), t('channel'), j('metadata'), t('idempotencyKey')],
		validate: USE,
		redeem: REDEEM,
		reserve: [...REDEEM, n('ttlSeconds')],
		commit: [t('reservationId', true), t('orderId'), t('idempotencyKey')],
		release: [t('reservationId', true), t('idempotencyKey')],
		rollback: [t('redemptionId', true), t('reason'), t('idempotencyKey')],
		void: [t('code', true), t('reason'), t('idempotencyKey')],
		get: [t('code', true)],
		bulkGenerate: [t('campaignId', true), n('count', true), t('channel'), n('batchSize')],
	},
	campaign: {
		create: [t('campaignId', true), ...CAMPAIGN_RULES, ...CAMPAIGN_FORMAT, ...CAMPAIGN_REST, j('definition')],
		update: [t('campaignId', true), ...CAMPAIGN_RULES, ...CAMPAIGN_REST, j('patch')],
		get: [t('campaignId', true)],
		getMany: [n('limit'), b('activeOnly')],
	},
	customer: {
		upsert: [
			t('customerId', true),
			t('email'),
			t('phone'),
			t('birthday'),
			t('renewalDate'),
			t('timeZone'),
			l('tags'),
			n('orderCount'),
			j('metadata'),
		],
	},
	analytics: {
		stats: [t('campaignId'), t('from'), t('to'), c('groupBy', ['none', 'day', 'channel', 'campaign']), t('timeZone')],
		events: [t('campaignId'), l('types'), t('after'), n('limit')],
	},
};

export interface OperationDescription {
	id: string;
	label: string;
	mutates: boolean;
	fields: Array<EditorField & { label: string }>;
}

export interface ResourceDescription {
	id: CouponResource;
	operations: OperationDescription[];
}

/** What the editor needs to draw the form: resources, operations with their labels, and fields. */
export function describeOperations(): ResourceDescription[] {
	return COUPON_RESOURCES.map((resource) => {
		const specs = COUPON_OPERATIONS[resource] as Record<string, { label: string; mutates: boolean }>;
		const fields = OPERATION_FIELDS[resource] as Record<string, EditorField[]>;
		return {
			id: resource,
			operations: Object.keys(specs).map((id) => ({
				id,
				label: specs[id].label,
				mutates: specs[id].mutates,
				fields: (fields[id] ?? []).map((f) => ({ ...f, label: FIELD_LABELS[f.name] ?? f.name })),
			})),
		};
	});
}
