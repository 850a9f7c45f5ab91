import { InvalidArgumentError } from '../../core/errors';
import { evaluateThreshold } from '../../core/triggers/threshold';
import type { NormalisedOrder } from '../../core/triggers/types';

const order = (over: Partial<NormalisedOrder> = {}): NormalisedOrder => ({ orderId: 'o1', total: 100, currency: 'EUR', at: 0, ...over });

describe('purchase over a threshold', () => {
	it('qualifies at and above the threshold, not below', () => {
		expect(evaluateThreshold(order({ total: 100 }), { amount: 100, currency: 'EUR' }).qualifies).toBe(true);
		expect(evaluateThreshold(order({ total: 100.01 }), { amount: 100, currency: 'EUR' }).qualifies).toBe(true);
		expect(evaluateThreshold(order({ total: 99.99 }), { amount: 100, currency: 'EUR' })).toEqual({
			qualifies: false,
			reason: 'BELOW_THRESHOLD',
			measured: 99.99,
			threshold: 100,
			currency: 'EUR',
		});
	});

	it('never qualifies in another currency, whatever the amount', () => {
		expect(evaluateThreshold(order({ total: 1e6, currency: 'USD' }), { amount: 100, currency: 'eur' })).toMatchObject({ qualifies: false, reason: 'CURRENCY_MISMATCH' });
		expect(evaluateThreshold(order({ currency: 'eur' }), { amount: 100, currency: 'EUR' }).qualifies).toBe(true);
	});

	it('measures net of shipping and tax, or before discounts, when asked — in exact decimals', () => {
		const o = order({ total: 100.3, shipping: 0.1, tax: 0.2, discounts: 5 });
		expect(evaluateThreshold(o, { amount: 100, currency: 'EUR', excludeShipping: true, excludeTax: true })).toMatchObject({ qualifies: true, measured: 100 });
		expect(evaluateThreshold(o, { amount: 100.01, currency: 'EUR', excludeShipping: true, excludeTax: true }).qualifies).toBe(false);
		expect(evaluateThreshold(order({ total: 96, discounts: 4 }), { amount: 100, currency: 'EUR', beforeDiscounts: true })).toMatchObject({ qualifies: true, measured: 100 });
		expect(evaluateThreshold(order({ total: 96, discounts: 4 }), { amount: 100, currency: 'EUR' }).qualifies).toBe(false);
		// Missing parts count as nothing.
		expect(evaluateThreshold(order({ total: 100 }), { amount: 100, currency: 'EUR', excludeShipping: true, excludeTax: true }).qualifies).toBe(true);
	});

	it('rejects a threshold without amount or currency', () => {
		expect(() => evaluateThreshold(order(), { amount: Number.NaN, currency: 'EUR' })).toThrow(InvalidArgumentError);
		expect(() => evaluateThreshold(order(), { amount: 10, currency: '' })).toThrow(/threshold.currency/);
	});
});
