// Purchase over a threshold: a pure decision on one normalised order.
import { InvalidArgumentError } from '../errors';
import { requireNumber, requireText } from './check';
import type { NormalisedOrder, ThresholdDecision, ThresholdOptions } from './types';

// Amounts are compared in thousandths so that 100.3 − 0.3 reaches 100 (binary floats do not).
function milli(n: number): number {
	return Math.round(n * 1000);
}

export function checkThresholdOptions(options: ThresholdOptions): ThresholdOptions {
	const amount = requireNumber(options?.amount, 'threshold.amount');
	if (amount < 0) throw new InvalidArgumentError('threshold.amount', 'must not be negative');
	const currency = requireText(options.currency, 'threshold.currency').toUpperCase();
	return { ...options, amount, currency };
}

/** The amount the threshold is compared with. Missing shipping / tax / discounts count as 0. */
export function measuredAmount(order: Pick<NormalisedOrder, 'total' | 'shipping' | 'tax' | 'discounts'>, options: ThresholdOptions): number {
	let m = milli(order.total);
	if (options.excludeShipping) m -= milli(order.shipping ?? 0);
	if (options.excludeTax) m -= milli(order.tax ?? 0);
	if (options.beforeDiscounts) m += milli(order.discounts ?? 0);
	return m / 1000;
}

export function evaluateThreshold(order: NormalisedOrder, options: ThresholdOptions): ThresholdDecision {
	const opts = checkThresholdOptions(options);
	const measured = measuredAmount(order, opts);
	const base = { measured, threshold: opts.amount, currency: opts.currency };
	if (order.currency.toUpperCase() !== opts.currency) return { ...base, qualifies: false, reason: 'CURRENCY_MISMATCH' };
	if (milli(measured) < milli(opts.amount)) return { ...base, qualifies: false, reason: 'BELOW_THRESHOLD' };
	return { ...base, qualifies: true };
}
