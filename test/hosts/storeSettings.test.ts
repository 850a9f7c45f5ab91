import { InvalidArgumentError } from '../../core/errors';
import { toStoreOptions } from '../../core/hosts/storeSettings';

const defaults = { sqlitePath: '/data/node-red/coupon-kit.db' };

function fieldOf(fn: () => unknown): string {
	try {
		fn();
	} catch (err) {
		if (err instanceof InvalidArgumentError) return err.field;
		throw err;
	}
	throw new Error('did not throw');
}

describe('toStoreOptions', () => {
	it('defaults to the embedded file the host names', () => {
		expect(toStoreOptions({}, defaults)).toEqual({ type: 'sqlite', path: '/data/node-red/coupon-kit.db' });
		expect(toStoreOptions({ mode: 'embedded', path: '  ' }, defaults)).toEqual({ type: 'sqlite', path: '/data/node-red/coupon-kit.db' });
	});

	it('reads a relative path from the base folder and keeps :memory:', () => {
		expect(toStoreOptions({ path: 'shop/coupons.db' }, defaults)).toMatchObject({ path: '/data/node-red/shop/coupons.db' });
		expect(toStoreOptions({ path: 'x.db' }, { ...defaults, baseDir: '/srv' })).toMatchObject({ path: '/srv/x.db' });
		expect(toStoreOptions({ path: '/abs/x.db' }, defaults)).toMatchObject({ path: '/abs/x.db' });
		expect(toStoreOptions({ path: ':memory:' }, defaults)).toMatchObject({ path: ':memory:' });
		expect(toStoreOptions({ synchronous: 'full' }, defaults)).toMatchObject({ synchronous: 'FULL' });
	});

	it('turns Redis form fields (all strings) into typed options', () => {
		expect(
			toStoreOptions(
				{ mode: 'redis', host: ' redis.local ', port: '6380', db: '2', tls: 'true', username: 'app', password: ' p w ', keyPrefix: 'shop:' },
				defaults,
			),
		).toEqual({ type: 'redis', host: 'redis.local', port: 6380, db: 2, tls: true, username: 'app', password: ' p w ', keyPrefix: 'shop:' });
		expect(toStoreOptions({ mode: 'redis', url: 'rediss://:s@r.example:6379/1', password: '' }, defaults)).toEqual({
			type: 'redis',
			url: 'rediss://:s@r.example:6379/1',
		});
		expect(toStoreOptions({ mode: 'redis', cluster: 'a:7000, b:7001\n[::1]:7002' }, defaults)).toEqual({
			type: 'redis',
			cluster: ['a:7000', 'b:7001', '[::1]:7002'],
		});
	});

	it('names the field that is wrong', () => {
		expect(fieldOf(() => toStoreOptions({ mode: 'postgres' }, defaults))).toBe('mode');
		expect(fieldOf(() => toStoreOptions({ synchronous: 'OFF' }, defaults))).toBe('synchronous');
		expect(fieldOf(() => toStoreOptions({ mode: 'redis' }, defaults))).toBe('host');
		expect(fieldOf(() => toStoreOptions({ mode: 'redis', url: 'http://x' }, defaults))).toBe('url');
		expect(fieldOf(() => toStoreOptions({ mode: 'redis', url: 'not a url' }, defaults))).toBe('url');
		expect(fieldOf(() => toStoreOptions({ mode: 'redis', host: 'h', port: '0' }, defaults))).toBe('port');
		expect(fieldOf(() => toStoreOptions({ mode: 'redis', host: 'h', port: '1.5' }, defaults))).toBe('port');
		expect(fieldOf(() => toStoreOptions({ mode: 'redis', host: 'h', db: '-1' }, defaults))).toBe('db');
		expect(fieldOf(() => toStoreOptions({ mode: 'redis', host: 'h', tls: 'yes' }, defaults))).toBe('tls');
		expect(fieldOf(() => toStoreOptions({ mode: 'redis', host: 'h', keyPrefix: '{x}' }, defaults))).toBe('keyPrefix');
		expect(fieldOf(() => toStoreOptions({ mode: 'redis', cluster: 'a:7000,b' }, defaults))).toBe('cluster');
		expect(fieldOf(() => toStoreOptions({ mode: 'redis', cluster: 'a:7000', db: '3' }, defaults))).toBe('db');
		expect(fieldOf(() => toStoreOptions({}, { sqlitePath: 'relative.db' }))).toBe('path');
	});
});
