import type { StoreOptions } from '../../api';
import { InvalidArgumentError } from '../../errors';
import type { TriggerStore } from './types';

/** Opens the trigger state beside the engine's store, from the same options. */
export async function openTriggerStore(options: StoreOptions): Promise<TriggerStore> {
	if (!options || typeof options !== 'object') throw new InvalidArgumentError('store', 'expected store options');
	if (options.type === 'sqlite') {
		const { openSqliteTriggerStore } = await import('./sqlite');
		return openSqliteTriggerStore(options);
	}
	if (options.type === 'redis') {
		// Loaded only here so that SQLite users never load ioredis.
		const { openRedisTriggerStore } = await import('./redis');
		return openRedisTriggerStore(options);
	}
	throw new InvalidArgumentError('store.type', 'must be "sqlite" or "redis"');
}

export type { TriggerStore } from './types';
