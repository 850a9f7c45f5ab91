// Values that no field of a Coupon operation may take, by the kind of the field: what a mapped
// expression, a wrong msg.payload or a typo can put there. Each one must be refused naming the field.
import fc from 'fast-check';

export type FieldKind = 'text' | 'number' | 'boolean' | 'json' | 'jsonList' | 'list' | 'choice';

export interface JunkField {
	kind: FieldKind;
	/** Empty is junk too when the field is required. */
	required?: boolean;
	/** The values a choice accepts. */
	choices?: readonly string[];
}

const notEmpty = (s: string): boolean => s.trim() !== '';

const objects = fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.boolean()), { minKeys: 1, maxKeys: 3 });
const nonFinite = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);
const lists = fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.boolean(), objects), { maxLength: 3 });

function parses(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

function junkOf(field: JunkField): fc.Arbitrary<unknown> {
	switch (field.kind) {
		case 'text':
			return fc.oneof(fc.boolean(), objects, lists, nonFinite);
		case 'number':
			return fc.oneof(
				fc.string({ maxLength: 12 }).filter((s) => notEmpty(s) && !Number.isFinite(Number(s.trim()))),
				fc.boolean(),
				objects,
				lists,
				nonFinite,
			);
		case 'boolean':
			return fc.oneof(
				fc.string({ maxLength: 12 }).filter((s) => notEmpty(s) && !['true', 'false'].includes(s.trim().toLowerCase())),
				fc.integer(),
				objects,
			);
		case 'json':
			return fc.oneof(
				// Not JSON, or JSON of something other than one object.
				fc.string({ maxLength: 16 }).filter((s) => {
					if (!notEmpty(s)) return false;
					const v = parses(s);
					return v === null || typeof v !== 'object' || Array.isArray(v);
				}),
				fc.integer(),
				fc.boolean(),
				lists,
			);
		case 'jsonList':
			return fc.oneof(
				fc.string({ maxLength: 16 }).filter((s) => notEmpty(s) && !Array.isArray(parses(s))),
				fc.integer(),
				fc.boolean(),
				objects,
			);
		case 'list':
			return fc.oneof(fc.integer(), fc.boolean(), objects, fc.array(fc.oneof(objects, fc.boolean()), { minLength: 1, maxLength: 3 }));
		case 'choice': {
			const allowed = new Set(field.choices ?? []);
			return fc.oneof(fc.string({ maxLength: 12 }).filter((s) => notEmpty(s) && !allowed.has(s.trim())), fc.integer(), objects, fc.boolean());
		}
	}
}

/** Junk for one field; a required field is also given as empty. */
export function junkFor(field: JunkField): fc.Arbitrary<unknown> {
	const junk = junkOf(field);
	return field.required ? fc.oneof(junk, fc.constantFrom('', '   ')) : junk;
}

/** For messages: what the junk was, readable (NaN and Infinity survive). */
export function shown(value: unknown): string {
	if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
	return JSON.stringify(value) ?? String(value);
}
