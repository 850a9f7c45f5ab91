// Public entry of the engine: `import { openEngine, generateCodes } from 'n8n-nodes-coupon-kit/core'`.
import type { CouponEngine, EngineOptions, StoreOptions } from './api';
import { requireObject } from './args';
import { Engine } from './engine';
import { InvalidArgumentError } from './errors';
import type { CouponStore } from './store/types';

export * from './api';
export * from './types';
export * from './errors';
export { REASON_MESSAGES, GUESS_REASONS, reasonMessage } from './reasons';
export { normaliseEmail, customerKeys } from './customers';
export { generateCodes, normaliseCode, DEFAULT_CHARSET, compileFormat } from './codes';
export type { CodeFormat } from './codes';
export type { CouponStore } from './store/types';

export async function openStore(options: StoreOptions): Promise<CouponStore> {
	const o = requireObject(options, 'store');
	if (o.type === 'sqlite') {
		const { openSqliteStore } = await import('./store/sqlite');
		return openSqliteStore(options as Extract<StoreOptions, { type: 'sqlite' }>);
	}
	if (o.type === 'redis') {
		// Loaded only here so that SQLite users never load ioredis.
		const { openRedisStore } = await import('./store/redis');
		return openRedisStore(options as Extract<StoreOptions, { type: 'redis' }>);
	}
	throw new InvalidArgumentError('store.type', 'must be "sqlite" or "redis"');
}

/** Opens the store and returns the engine; call `close()` when done. */
export async function openEngine(options: EngineOptions): Promise<CouponEngine> {
	const o = requireObject(options, 'options');
	const store = await openStore(o.store as StoreOptions);
	try {
		const engine = new Engine(store, options);
		await engine.listCampaigns();
		return engine;
	} catch (err) {
		await store.close();
		throw err;
	}
}
