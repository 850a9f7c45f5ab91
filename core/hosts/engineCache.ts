/**
 * One open engine per store, shared by every node that uses that store, closed when the last one lets go.
 *
 * Exports:
 * - `acquireEngine(store, tuning?)`: the engine for these settings, opening it on first use. Every
 *   caller whose promise resolved must call `releaseEngine` with equal settings once. A failed open is
 *   not cached: the next acquire tries again.
 * - `releaseEngine(store, tuning?)`: drops one reference; the last one closes the engine (the promise
 *   resolves once it is closed). Releasing settings that hold no reference does nothing.
 * - `engineFingerprint(store, tuning?)`: the cache key (a hash, so secrets are not kept as text).
 * - `openEngineCount()`: engines currently cached (for tests and diagnostics).
 * - `EngineTuning`: the engine options besides the store that take part in the key.
 */
import { createHash } from 'node:crypto';
import type { CouponEngine, EngineOptions, StoreOptions } from '../api';
import { openEngine } from '../index';

export type EngineTuning = Pick<EngineOptions, 'abuse' | 'reservationTtlSeconds'>;

interface Entry {
	refs: number;
	engine: Promise<CouponEngine>;
}

const entries = new Map<string, Entry>();
/** Closes in progress, so a reopen of the same store starts after the old handle is gone. */
const closing = new Map<string, Promise<void>>();

export function engineFingerprint(store: StoreOptions, tuning: EngineTuning = {}): string {
	return createHash('sha256').update(stableJson({ store, tuning })).digest('hex');
}

export async function acquireEngine(store: StoreOptions, tuning: EngineTuning = {}): Promise<CouponEngine> {
	const key = engineFingerprint(store, tuning);
	let entry = entries.get(key);
	if (!entry) {
		const created: Entry = { refs: 0, engine: open(key, { ...tuning, store }) };
		entries.set(key, created);
		created.engine.catch(() => {
			if (entries.get(key) === created) entries.delete(key);
		});
		entry = created;
	}
	entry.refs += 1;
	try {
		return await entry.engine;
	} catch (error) {
		entry.refs -= 1;
		throw error;
	}
}

export async function releaseEngine(store: StoreOptions, tuning: EngineTuning = {}): Promise<void> {
	const key = engineFingerprint(store, tuning);
	const entry = entries.get(key);
	if (!entry || entry.refs <= 0) return;
	entry.refs -= 1;
	if (entry.refs > 0) return;
	entries.delete(key);
	const done = entry.engine
		.then((engine) => engine.close())
		.catch(() => undefined)
		.finally(() => {
			if (closing.get(key) === done) closing.delete(key);
		});
	closing.set(key, done);
	await done;
}

export function openEngineCount(): number {
	return entries.size;
}

async function open(key: string, options: EngineOptions): Promise<CouponEngine> {
	const previous = closing.get(key);
	if (previous) await previous;
	return await openEngine(options);
}

function stableJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		const fields = Object.entries(value as Record<string, unknown>)
			.filter(([, v]) => v !== undefined)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
			.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`);
		return `{${fields.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}
