/**
 * Store settings as a host's form shows them, turned into the engine's `StoreOptions`.
 *
 * Exports:
 * - `StoreSettings`: the form fields both hosts show (n8n credential "Coupon Kit Store", Node-RED
 *   `coupon-kit-store` config node). Every field is optional and may arrive as a string.
 * - `StoreSettingsDefaults`: what the host decides — the default SQLite file and the folder relative
 *   paths are read from (n8n user folder, Node-RED `userDir`).
 * - `toStoreOptions(settings, defaults)`: validated `StoreOptions`; a bad field throws
 *   `InvalidArgumentError` whose `field` is the form field's name (`port`, `url`, `cluster`, …).
 * - `STORE_MODES`, `DEFAULT_SQLITE_FILE`.
 */
import * as path from 'node:path';
import type { RedisStoreOptions, SqliteStoreOptions, StoreOptions } from '../api';
import { InvalidArgumentError } from '../errors';

export const STORE_MODES = ['embedded', 'redis'] as const;
export type StoreMode = (typeof STORE_MODES)[number];

/** File name hosts use for the embedded store inside their own data folder. */
export const DEFAULT_SQLITE_FILE = 'coupon-kit.db';

export interface StoreSettings {
	/** `embedded` (SQLite file, the default) or `redis`. */
	mode?: string;
	/** SQLite file; empty for the host's default; relative to `defaults.baseDir`; `:memory:` allowed. */
	path?: string;
	/** `NORMAL` (default) or `FULL`. */
	synchronous?: string;
	/** `redis://…` or `rediss://…`; when given, host/port are not needed. */
	url?: string;
	host?: string;
	port?: number | string;
	username?: string;
	password?: string;
	tls?: boolean | string;
	db?: number | string;
	keyPrefix?: string;
	/** Cluster start nodes, `host:port`, separated by commas, spaces or new lines (or an array). */
	cluster?: string | string[];
}

export interface StoreSettingsDefaults {
	/** Absolute path of the SQLite file used when `path` is empty. */
	sqlitePath: string;
	/** Folder a relative `path` is read from (default: the folder of `sqlitePath`). */
	baseDir?: string;
}

export function toStoreOptions(settings: StoreSettings, defaults: StoreSettingsDefaults): StoreOptions {
	const mode = text(settings.mode) ?? 'embedded';
	if (mode === 'embedded') return sqliteOptions(settings, defaults);
	if (mode === 'redis') return redisOptions(settings);
	throw new InvalidArgumentError('mode', `must be one of ${STORE_MODES.join(', ')} (got "${mode}")`);
}

function sqliteOptions(settings: StoreSettings, defaults: StoreSettingsDefaults): SqliteStoreOptions {
	const options: SqliteStoreOptions = { type: 'sqlite', path: sqlitePath(settings.path, defaults) };
	const synchronous = text(settings.synchronous)?.toUpperCase();
	if (synchronous !== undefined) {
		if (synchronous !== 'NORMAL' && synchronous !== 'FULL') {
			throw new InvalidArgumentError('synchronous', `must be NORMAL or FULL (got "${settings.synchronous}")`);
		}
		options.synchronous = synchronous;
	}
	return options;
}

function sqlitePath(value: string | undefined, defaults: StoreSettingsDefaults): string {
	if (!path.isAbsolute(defaults.sqlitePath)) {
		throw new InvalidArgumentError('path', `the host's default SQLite path must be absolute (got "${defaults.sqlitePath}")`);
	}
	const given = text(value);
	if (given === undefined) return path.normalize(defaults.sqlitePath);
	if (given === ':memory:') return given;
	if (given.includes('\0')) throw new InvalidArgumentError('path', 'must not contain a NUL character');
	const baseDir = defaults.baseDir ?? path.dirname(defaults.sqlitePath);
	return path.resolve(baseDir, given);
}

function redisOptions(settings: StoreSettings): RedisStoreOptions {
	const options: RedisStoreOptions = { type: 'redis' };
	const cluster = clusterNodes(settings.cluster);
	const url = text(settings.url);
	const host = text(settings.host);

	if (cluster.length > 0) options.cluster = cluster;
	if (url !== undefined) {
		let parsed: URL;
		try {
			parsed = new URL(url);
		} catch {
			throw new InvalidArgumentError('url', 'is not a URL; expected redis://host:port or rediss://host:port');
		}
		if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
			throw new InvalidArgumentError('url', `must start with redis:// or rediss:// (got "${parsed.protocol}//")`);
		}
		options.url = url;
	} else if (host !== undefined) {
		if (/[\s/@]/.test(host)) throw new InvalidArgumentError('host', `must be a host name or address (got ${shown(host)})`);
		options.host = host;
	} else if (cluster.length === 0) {
		throw new InvalidArgumentError('host', 'give a Redis URL, a host, or cluster nodes');
	}

	const port = integer(settings.port, 'port', 1, 65535);
	if (port !== undefined) options.port = port;
	const db = integer(settings.db, 'db', 0, 1_000_000);
	if (db !== undefined) {
		if (cluster.length > 0 && db !== 0) throw new InvalidArgumentError('db', 'Redis Cluster has only database 0');
		options.db = db;
	}
	const username = text(settings.username);
	if (username !== undefined) options.username = username;
	// A password is taken as typed: spaces may be part of it.
	if (typeof settings.password === 'string' && settings.password !== '') options.password = settings.password;
	const tls = flag(settings.tls, 'tls');
	if (tls !== undefined) options.tls = tls;
	const keyPrefix = text(settings.keyPrefix);
	if (keyPrefix !== undefined) {
		if (/[\s{}]/.test(keyPrefix)) {
			throw new InvalidArgumentError('keyPrefix', 'must not contain spaces or braces (braces are Redis Cluster hash tags)');
		}
		options.keyPrefix = keyPrefix;
	}
	return options;
}

function clusterNodes(value: string | string[] | undefined): string[] {
	if (value === undefined || value === null) return [];
	const list = (Array.isArray(value) ? value : String(value).split(/[\s,]+/)).map((s) => s.trim()).filter((s) => s !== '');
	for (const entry of list) {
		const match = /^([^\s:/]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(entry);
		const port = match ? Number(match[2]) : 0;
		if (!match || port < 1 || port > 65535) {
			throw new InvalidArgumentError('cluster', `each node must be host:port (got ${shown(entry)})`);
		}
	}
	return list;
}

/**
 * A wrong value quoted back, unless it looks like a URL or carries user info: a Redis URL typed into the
 * wrong field holds the password, and messages are shown and logged.
 */
function shown(value: string): string {
	if (value.includes('@') || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return 'a URL; put a redis:// URL in the URL field';
	return `"${value}"`;
}

function text(value: unknown): string | undefined {
	if (value === undefined || value === null) return undefined;
	const s = String(value).trim();
	return s === '' ? undefined : s;
}

function integer(value: unknown, field: string, min: number, max: number): number | undefined {
	const s = text(value);
	if (s === undefined) return undefined;
	const n = Number(s);
	if (!Number.isInteger(n) || n < min || n > max) {
		throw new InvalidArgumentError(field, `must be a whole number from ${min} to ${max} (got "${s}")`);
	}
	return n;
}

function flag(value: unknown, field: string): boolean | undefined {
	if (typeof value === 'boolean') return value;
	const s = text(value)?.toLowerCase();
	if (s === undefined) return undefined;
	if (s === 'true') return true;
	if (s === 'false') return false;
	throw new InvalidArgumentError(field, `must be true or false (got "${s}")`);
}
