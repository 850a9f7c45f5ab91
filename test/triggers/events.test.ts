import { InvalidArgumentError } from '../../core/errors';
import { normaliseCart, normaliseOrder } from '../../core/triggers/events';

function fieldOf(fn: () => unknown): string {
	try {
		fn();
	} catch (err) {
		if (err instanceof InvalidArgumentError) return err.field;
		throw err;
	}
	throw new Error('did not throw');
}

describe('normalising webhook payloads', () => {
	it('reads a Shopify-like order with snake_case fields and string amounts', () => {
		const o = normaliseOrder({
			id: 4501,
			email: 'ann@example.com',
			customer: { id: 77 },
			total_price: '129.90',
			subtotal_price: '120.00',
			total_discounts: '10.00',
			total_tax: '19.90',
			currency: 'eur',
			cart_token: 'c-9',
			created_at: '2026-05-01T10:00:00Z',
			discount_codes: [{ code: 'SPRING-AB12' }],
			line_items: [{ id: 1, sku: 'TEE', title: 'Tee', quantity: 2, price: '60.00' }],
		});
		expect(o).toEqual({
			orderId: '4501',
			customerId: '77',
			email: 'ann@example.com',
			total: 129.9,
			currency: 'EUR',
			subtotal: 120,
			discounts: 10,
			tax: 19.9,
			lineItems: [{ id: '1', sku: 'TEE', name: 'Tee', quantity: 2, price: 60 }],
			codes: ['SPRING-AB12'],
			cartId: 'c-9',
			at: Date.parse('2026-05-01T10:00:00Z'),
		});
	});

	it('takes explicit dotted paths for other shapes, epoch seconds and a default currency', () => {
		const o = normaliseOrder(
			{ ref: 'A-1', amounts: { gross: 55 }, ts: 1767225600 },
			{ fields: { orderId: 'ref', total: 'amounts.gross', at: 'ts' }, defaultCurrency: 'usd' },
		);
		expect(o).toEqual({ orderId: 'A-1', total: 55, currency: 'USD', at: 1767225600000 });
	});

	it('names the missing or broken field', () => {
		expect(fieldOf(() => normaliseOrder({ total: 5, currency: 'EUR' }))).toBe('orderId');
		expect(fieldOf(() => normaliseOrder({ id: 1, currency: 'EUR' }))).toBe('total');
		expect(fieldOf(() => normaliseOrder({ id: 1, total: 5 }))).toBe('currency');
		expect(fieldOf(() => normaliseOrder({ id: 1, total_price: 'lots', currency: 'EUR' }))).toBe('total_price');
		expect(fieldOf(() => normaliseOrder({ id: 1, total: 5, currency: 'EURO' }))).toBe('currency');
		expect(fieldOf(() => normaliseOrder({ id: 1, total: 5, currency: 'EUR', created_at: 'yesterday' }))).toBe('created_at');
		expect(fieldOf(() => normaliseOrder({ id: 1, total: 5, currency: 'EUR', line_items: [{ price: 'x' }] }))).toBe('line_items[0].price');
		expect(fieldOf(() => normaliseOrder({ ref: 1 }, { fields: { orderId: 'order.ref' } }))).toBe('order.ref');
		expect(fieldOf(() => normaliseOrder([]))).toBe('payload');
	});

	it('reads a cart, computing its value from items when none is given', () => {
		const c = normaliseCart({ token: 'k1', email: 'b@example.com', line_items: [{ price: 10, quantity: 3 }, { price: 2.5 }], updated_at: 1767225600000, abandoned_checkout_url: 'https://shop/x' }, { defaultCurrency: 'GBP' });
		expect(c).toEqual({
			cartId: 'k1',
			type: 'activity',
			email: 'b@example.com',
			value: 32.5,
			currency: 'GBP',
			items: [{ quantity: 3, price: 10 }, { quantity: 1, price: 2.5 }],
			url: 'https://shop/x',
			at: 1767225600000,
		});
		expect(normaliseCart({ cart_id: 'k1', value: 0, status: 'completed' }, { now: 5 })).toMatchObject({ type: 'checkout', at: 5 });
		expect(fieldOf(() => normaliseCart({ value: 1 }))).toBe('cartId');
		expect(fieldOf(() => normaliseCart({ cartId: 'x' }))).toBe('value');
	});
});
