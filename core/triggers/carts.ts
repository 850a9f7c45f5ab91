// Cart abandonment: the pure part. Which deadline an event arms, and the snapshot a firing carries.
import { InvalidArgumentError } from '../errors';
import { nonNegative, requireNumber } from './check';
import type { CartSnapshot, NormalisedCart, TrackCartOptions } from './types';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface CheckedCartOptions {
	abandonAfterMs: number;
	minValue: number;
	quietMs: number;
}

export function checkCartOptions(options: TrackCartOptions): CheckedCartOptions {
	if (!options || typeof options !== 'object') throw new InvalidArgumentError('options', 'expected { abandonAfterMinutes, minValue?, quietDays? }');
	const minutes = requireNumber(options.abandonAfterMinutes, 'abandonAfterMinutes');
	if (minutes <= 0) throw new InvalidArgumentError('abandonAfterMinutes', 'must be more than 0');
	return {
		abandonAfterMs: Math.round(minutes * MINUTE_MS),
		minValue: nonNegative(options.minValue, 'minValue', 0),
		quietMs: Math.round(nonNegative(options.quietDays, 'quietDays', 0) * DAY_MS),
	};
}

/**
 * When an activity event makes the cart fire if nothing else happens; null when it cannot fire:
 * a checkout, an empty cart (value 0) or one below the minimum value.
 */
export function cartDeadline(cart: NormalisedCart, options: CheckedCartOptions): number | null {
	if (cart.type !== 'activity') return null;
	const value = Math.round(cart.value * 1000);
	if (value <= 0 || value < Math.round(options.minValue * 1000)) return null;
	return cart.at + options.abandonAfterMs;
}

export function cartSnapshot(cart: NormalisedCart): CartSnapshot {
	return {
		cartId: cart.cartId,
		customerId: cart.customerId ?? null,
		email: cart.email ?? null,
		value: cart.value,
		currency: cart.currency ?? null,
		items: cart.items ?? [],
		url: cart.url ?? null,
		lastActivityAt: cart.at,
	};
}
