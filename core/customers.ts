import { InvalidArgumentError } from './errors';

/**
 * Lower-cases and drops a `+tag` from the local part, so `Ann+1@X.com` and `ann@x.com` are one customer.
 * Returns null for an absent value; throws for a value that is not an email address.
 */
export function normaliseEmail(email: unknown, field = 'email'): string | null {
	if (email === undefined || email === null || email === '') return null;
	if (typeof email !== 'string') throw new InvalidArgumentError(field, 'must be a string');
	const trimmed = email.trim().toLowerCase();
	const at = trimmed.lastIndexOf('@');
	if (at <= 0 || at === trimmed.length - 1 || /\s/.test(trimmed) || trimmed.indexOf('@') !== at) {
		throw new InvalidArgumentError(field, `"${email}" is not an email address`);
	}
	const local = trimmed.slice(0, at).split('+')[0];
	if (!local) throw new InvalidArgumentError(field, `"${email}" is not an email address`);
	return `${local}@${trimmed.slice(at + 1)}`;
}

/** The keys a customer's per-customer limits and abuse counters are held under. */
export function customerKeys(customerId: string | null, email: string | null): string[] {
	const keys: string[] = [];
	if (customerId) keys.push(`id:${customerId}`);
	if (email) keys.push(`email:${email}`);
	return keys;
}

/**
 * The keys a use of a code counts under: the caller's, and those of the customer the code was issued to.
 * A customer who names themselves by id once and by email once is then still one customer to the limit.
 */
export function keysWithOwner(keys: string[], owner: { customerId: string | null; email: string | null }): string[] {
	if (!owner.customerId && !owner.email) return keys;
	const own = customerKeys(owner.customerId, owner.email);
	if (own.every((k) => keys.includes(k))) return keys;
	return [...keys, ...own.filter((k) => !keys.includes(k))];
}
