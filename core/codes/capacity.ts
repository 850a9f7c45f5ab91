import { InvalidArgumentError } from '../errors';

/**
 * How many codes may be issued from a space of `space` codes so that one random guess hits an issued
 * code with probability at most `maxGuessProbability`: floor(space · p), at most Number.MAX_SAFE_INTEGER.
 */
export function maxIssuable(space: number, maxGuessProbability: number): number {
	if (typeof space !== 'number' || Number.isNaN(space) || space < 0) {
		throw new InvalidArgumentError('space', 'must be a number, 0 or more');
	}
	if (typeof maxGuessProbability !== 'number' || !(maxGuessProbability > 0 && maxGuessProbability <= 1)) {
		throw new InvalidArgumentError('maxGuessProbability', 'must be a number above 0 and at most 1');
	}
	const exact = space * maxGuessProbability;
	if (exact >= Number.MAX_SAFE_INTEGER) return Number.MAX_SAFE_INTEGER;
	// 90 × 0.7 is 62.99999999999999 in floating point; a shortfall of a few ulps is rounding, not the bound.
	const nearest = Math.round(exact);
	if (nearest > exact && nearest - exact <= exact * 4 * Number.EPSILON) return nearest;
	return Math.floor(exact);
}
