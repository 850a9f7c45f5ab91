import { existsSync } from 'node:fs';
import { join } from 'node:path';
import couponNode from '../../nodes/node-red/coupon/coupon';
import { openEngineCount } from '../../core/hosts/engineCache';
import type { CouponKitStoreNode } from '../../nodes/node-red/lib/store';
import { type TestNode, catchAll, helper, inTab, modules, outcome, redisStore, sqliteStore, tmpUserDir } from './helpers/flow';

function storeNode(id: string): CouponKitStoreNode {
	return helper.getNode(id) as unknown as CouponKitStoreNode;
}

describe('coupon-kit-store config node', () => {
	afterEach(async () => {
		await helper.unload();
		helper.settings({});
	});

	it('opens one shared engine on deploy and closes it on stop', async () => {
		const store = sqliteStore();
		const same = { ...store.node(), id: 'twin', name: 'same file' };
		await helper.load([modules.storeNode], [store.node(), same]);
		const [a, b] = await Promise.all([storeNode('store').engine(), storeNode('twin').engine()]);
		expect(a).toBe(b);
		expect(openEngineCount()).toBe(1);
		await helper.unload();
		expect(openEngineCount()).toBe(0);
		store.cleanup();
	});

	it('keeps the embedded file in the Node-RED user directory by default', async () => {
		const userDir = tmpUserDir();
		helper.settings({ userDir });
		await helper.load([modules.storeNode], [{ id: 'store', type: 'coupon-kit-store', mode: 'embedded', path: '' }]);
		await storeNode('store').engine();
		expect(storeNode('store').where).toBe(join(userDir, 'coupon-kit.db'));
		expect(existsSync(join(userDir, 'coupon-kit.db'))).toBe(true);
	});

	it('reads a relative path from the user directory', async () => {
		const userDir = tmpUserDir();
		helper.settings({ userDir });
		await helper.load([modules.storeNode], [{ id: 'store', type: 'coupon-kit-store', mode: 'embedded', path: 'data/shop.db' }]);
		expect(storeNode('store').where).toBe(join(userDir, 'data', 'shop.db'));
	});

	it('takes the Redis URL and password from the credentials, never from the flow', async () => {
		const store = redisStore();
		await helper.load([modules.storeNode], [store.node()], { store: store.credentials() });
		const engine = await storeNode('store').engine();
		expect(typeof engine.issue).toBe('function');
		expect(storeNode('store').where).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
	});

	it('names the bad field when the settings are wrong, on every message', async () => {
		await helper.load(
			[modules.storeNode, couponNode, modules.catchNode],
			inTab(
				[
					{ id: 'c', type: 'coupon', store: 'store', resource: 'campaign', operation: 'getMany', args: [], wires: [['out']] },
					{ id: 'out', type: 'helper' },
					catchAll(['caught']),
					{ id: 'caught', type: 'helper' },
				],
				[{ id: 'store', type: 'coupon-kit-store', mode: 'redis', host: 'localhost', port: 'seventy' }],
			),
		);
		const result = outcome(helper.getNode('out') as TestNode, helper.getNode('caught') as TestNode);
		(helper.getNode('c') as TestNode).receive({ payload: {} });
		expect((await result).error?.error?.message).toMatch(/port: must be a whole number from 1 to 65535/);
		expect(openEngineCount()).toBe(0);
	});
});
