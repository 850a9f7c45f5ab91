// Turns generic JSON order / cart payloads (a webhook body) into the normalised shapes.
// Platform-specific mapping lives in core/platforms; this accepts our own field names, the common
// snake_case / camelCase spellings, and explicit dotted paths for anything else.
import { InvalidArgumentError } from '../errors';
import type { CartEventType, LineItem, NormalisedCart, NormalisedOrder } from './types';

type Json = Record<string, unknown>;

export type OrderField = 'orderId' | 'customerId' | 'email' | 'total' | 'currency' | 'subtotal' | 'discounts' | 'shipping' | 'tax' | 'lineItems' | 'codes' | 'cartId' | 'at';
export type CartField = 'cartId' | 'type' | 'customerId' | 'email' | 'value' | 'currency' | 'items' | 'url' | 'at';

export interface NormaliseOptions<F extends string> {
	/** Dotted paths into the payload for fields under other names, e.g. `{ total: 'amounts.gross' }`. */
	fields?: Partial<Record<F, string>>;
	/** Used when the payload carries no time (default: now). */
	now?: number;
	/** Used when the payload carries no currency. */
	defaultCurrency?: string;
}

const ORDER_ALIASES: Record<OrderField, string[]> = {
	orderId: ['orderId', 'order_id', 'id', 'order.id', 'number', 'order_number'],
	customerId: ['customerId', 'customer_id', 'customer.id', 'customer.customerId', 'user_id', 'userId'],
	email: ['email', 'customer.email', 'contact_email', 'billing.email', 'billing_address.email'],
	total: ['total.amount', 'total', 'total_price', 'totalPrice', 'grand_total', 'grandTotal', 'amount'],
	currency: ['currency', 'currency_code', 'currencyCode', 'total.currency'],
	subtotal: ['subtotal', 'subtotal_price', 'subtotalPrice', 'sub_total'],
	discounts: ['discounts', 'total_discounts', 'totalDiscounts', 'discount_total', 'discount_amount'],
	shipping: ['shipping', 'shipping_total', 'shippingTotal', 'total_shipping', 'shipping_amount'],
	tax: ['tax', 'total_tax', 'totalTax', 'tax_total', 'tax_amount'],
	lineItems: ['lineItems', 'line_items', 'items'],
	codes: ['codes', 'discount_codes', 'discountCodes', 'coupon_codes', 'coupons', 'coupon_lines'],
	cartId: ['cartId', 'cart_id', 'cart_token', 'cartToken', 'checkout_token', 'checkout_id'],
	at: ['at', 'created_at', 'createdAt', 'processed_at', 'date_created', 'timestamp', 'time'],
};

const CART_ALIASES: Record<CartField, string[]> = {
	cartId: ['cartId', 'cart_id', 'id', 'token', 'cart_token', 'cartToken', 'checkout_token'],
	type: ['type', 'event', 'status'],
	customerId: ORDER_ALIASES.customerId,
	email: ORDER_ALIASES.email,
	value: ['value', 'total', 'total_price', 'totalPrice', 'subtotal', 'subtotal_price', 'amount'],
	currency: ORDER_ALIASES.currency,
	items: ['items', 'line_items', 'lineItems'],
	url: ['url', 'cart_url', 'abandoned_checkout_url', 'checkout_url', 'recovery_url'],
	at: ['at', 'updated_at', 'updatedAt', 'created_at', 'createdAt', 'timestamp', 'time'],
};

function pick(obj: Json, path: string): unknown {
	let cur: unknown = obj;
	for (const part of path.split('.')) {
		if (cur === null || typeof cur !== 'object') return undefined;
		cur = (cur as Json)[part];
	}
	return cur;
}

function find<F extends string>(obj: Json, field: F, aliases: Record<F, string[]>, fields?: Partial<Record<F, string>>): { value: unknown; path: string } {
	const explicit = fields?.[field];
	if (explicit) return { value: pick(obj, explicit), path: explicit };
	for (const path of aliases[field]) {
		const value = pick(obj, path);
		if (value !== undefined && value !== null && value !== '') return { value, path };
	}
	return { value: undefined, path: field };
}

function asId(value: unknown, path: string): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	throw new InvalidArgumentError(path, `expected a string or number id, got ${typeof value}`);
}

function asAmount(value: unknown, path: string): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const n = typeof value === 'string' ? Number(value.trim()) : value;
	if (typeof n !== 'number' || !Number.isFinite(n)) throw new InvalidArgumentError(path, `expected an amount, got ${JSON.stringify(value)}`);
	return n;
}

function asTime(value: unknown, path: string, fallback: number): number {
	if (value === undefined || value === null || value === '') return fallback;
	if (typeof value === 'number' && Number.isFinite(value)) return value < 1e11 ? value * 1000 : value;
	if (typeof value === 'string') {
		const ms = /^\d+$/.test(value) ? asTime(Number(value), path, fallback) : Date.parse(value);
		if (Number.isFinite(ms)) return ms;
	}
	throw new InvalidArgumentError(path, `expected an ISO date-time or epoch milliseconds, got ${JSON.stringify(value)}`);
}

function asCurrency(value: unknown, path: string): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value !== 'string' || !/^[A-Za-z]{3}$/.test(value.trim())) {
		throw new InvalidArgumentError(path, `expected an ISO 4217 currency code such as EUR, got ${JSON.stringify(value)}`);
	}
	return value.trim().toUpperCase();
}

function asItems(value: unknown, path: string): LineItem[] | undefined {
	if (value === undefined || value === null) return undefined;
	if (!Array.isArray(value)) throw new InvalidArgumentError(path, 'expected a list of line items');
	return value.map((raw, i) => {
		const at = `${path}[${i}]`;
		if (!raw || typeof raw !== 'object') throw new InvalidArgumentError(at, 'expected a line item object');
		const item = raw as Json;
		const price = asAmount(item.price ?? item.unit_price ?? item.unitPrice ?? item.amount, `${at}.price`) ?? 0;
		const quantity = asAmount(item.quantity ?? item.qty, `${at}.quantity`) ?? 1;
		const out: LineItem = { quantity, price };
		const id = asId(item.id ?? item.product_id ?? item.productId, `${at}.id`);
		if (id !== undefined) out.id = id;
		const sku = asId(item.sku, `${at}.sku`);
		if (sku !== undefined) out.sku = sku;
		const name = item.name ?? item.title;
		if (typeof name === 'string') out.name = name;
		return out;
	});
}

function asCodes(value: unknown, path: string): string[] | undefined {
	if (value === undefined || value === null) return undefined;
	const list = typeof value === 'string' ? value.split(',') : value;
	if (!Array.isArray(list)) throw new InvalidArgumentError(path, 'expected a list of codes');
	return list
		.map((c, i) => {
			const code = typeof c === 'string' ? c : c && typeof c === 'object' ? (c as Json).code : undefined;
			if (typeof code !== 'string') throw new InvalidArgumentError(`${path}[${i}]`, 'expected a code (string or { code })');
			return code.trim();
		})
		.filter((c) => c !== '');
}

function asObject(payload: unknown): Json {
	if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new InvalidArgumentError('payload', 'expected a JSON object');
	return payload as Json;
}

function required<T>(value: T | undefined, path: string, what: string): T {
	if (value === undefined) throw new InvalidArgumentError(path, `is required (${what})`);
	return value;
}

export function normaliseOrder(payload: unknown, options: NormaliseOptions<OrderField> = {}): NormalisedOrder {
	const obj = asObject(payload);
	const get = (f: OrderField) => find(obj, f, ORDER_ALIASES, options.fields);
	const id = get('orderId');
	const total = get('total');
	const currency = get('currency');
	const order: NormalisedOrder = {
		orderId: required(asId(id.value, id.path), id.path, 'the order id'),
		total: required(asAmount(total.value, total.path), total.path, 'the order total'),
		currency: required(asCurrency(currency.value, currency.path) ?? asCurrency(options.defaultCurrency, 'defaultCurrency'), currency.path, 'the ISO currency code'),
		at: asTime(get('at').value, get('at').path, options.now ?? Date.now()),
	};
	const customerId = asId(get('customerId').value, get('customerId').path);
	if (customerId !== undefined) order.customerId = customerId;
	const email = get('email').value;
	if (typeof email === 'string' && email.trim() !== '') order.email = email.trim();
	for (const f of ['subtotal', 'discounts', 'shipping', 'tax'] as const) {
		const found = get(f);
		const n = asAmount(found.value, found.path);
		if (n !== undefined) order[f] = n;
	}
	const items = asItems(get('lineItems').value, get('lineItems').path);
	if (items) order.lineItems = items;
	const codes = asCodes(get('codes').value, get('codes').path);
	if (codes) order.codes = codes;
	const cartId = asId(get('cartId').value, get('cartId').path);
	if (cartId !== undefined) order.cartId = cartId;
	return order;
}

const CHECKOUT_WORDS = new Set(['checkout', 'checked_out', 'completed', 'converted', 'order', 'ordered', 'purchased']);

export function normaliseCart(payload: unknown, options: NormaliseOptions<CartField> = {}): NormalisedCart {
	const obj = asObject(payload);
	const get = (f: CartField) => find(obj, f, CART_ALIASES, options.fields);
	const id = get('cartId');
	const itemsFound = get('items');
	const items = asItems(itemsFound.value, itemsFound.path);
	const valueFound = get('value');
	const value = asAmount(valueFound.value, valueFound.path) ?? items?.reduce((sum, i) => sum + i.price * i.quantity, 0);
	const typeFound = get('type');
	let type: CartEventType = 'activity';
	if (typeof typeFound.value === 'string' && CHECKOUT_WORDS.has(typeFound.value.toLowerCase())) type = 'checkout';
	const cart: NormalisedCart = {
		cartId: required(asId(id.value, id.path), id.path, 'the cart id'),
		type,
		value: required(value, valueFound.path, 'the cart value, or items with price and quantity'),
		at: asTime(get('at').value, get('at').path, options.now ?? Date.now()),
	};
	const customerId = asId(get('customerId').value, get('customerId').path);
	if (customerId !== undefined) cart.customerId = customerId;
	const email = get('email').value;
	if (typeof email === 'string' && email.trim() !== '') cart.email = email.trim();
	const currency = asCurrency(get('currency').value, get('currency').path) ?? asCurrency(options.defaultCurrency, 'defaultCurrency');
	if (currency) cart.currency = currency;
	if (items) cart.items = items;
	const url = get('url').value;
	if (typeof url === 'string' && url !== '') cart.url = url;
	return cart;
}

/** Checks an already-normalised order (the shape a host passes to recordOrder). */
export function checkOrder(order: NormalisedOrder): NormalisedOrder {
	if (!order || typeof order !== 'object') throw new InvalidArgumentError('order', 'expected a normalised order');
	required(asId(order.orderId, 'orderId'), 'orderId', 'the order id');
	required(asAmount(order.total, 'total'), 'total', 'the order total');
	required(asCurrency(order.currency, 'currency'), 'currency', 'the ISO currency code');
	if (typeof order.at !== 'number' || !Number.isFinite(order.at)) throw new InvalidArgumentError('at', 'expected epoch milliseconds');
	return { ...order, orderId: String(order.orderId), currency: order.currency.toUpperCase() };
}

export function checkCart(cart: NormalisedCart): NormalisedCart {
	if (!cart || typeof cart !== 'object') throw new InvalidArgumentError('cart', 'expected a normalised cart event');
	required(asId(cart.cartId, 'cartId'), 'cartId', 'the cart id');
	required(asAmount(cart.value, 'value'), 'value', 'the cart value');
	if (cart.type !== 'activity' && cart.type !== 'checkout') throw new InvalidArgumentError('type', 'expected activity or checkout');
	if (typeof cart.at !== 'number' || !Number.isFinite(cart.at)) throw new InvalidArgumentError('at', 'expected epoch milliseconds');
	return { ...cart, cartId: String(cart.cartId), currency: cart.currency?.toUpperCase() };
}
