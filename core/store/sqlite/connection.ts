// Opening the database file and migrating its tables: shared by the coupon store and the trigger store,
// which keep their own connections on the same file.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { SqliteStoreOptions } from '../../api';
import { InvalidArgumentError, StoreError } from '../../errors';

/** Validates the options, creates the file readable by its owner only, and sets WAL and the timeouts. */
export async function openDatabaseFile(options: SqliteStoreOptions, what: string): Promise<DatabaseSync> {
	const path = options.path;
	if (typeof path !== 'string' || path.trim() === '') throw new InvalidArgumentError('store.path', 'is required');
	const busyTimeout = options.busyTimeoutMs ?? 5000;
	if (!Number.isInteger(busyTimeout) || busyTimeout < 0) throw new InvalidArgumentError('store.busyTimeoutMs', 'must be a whole number ≥ 0');
	const synchronous = options.synchronous ?? 'NORMAL';
	if (synchronous !== 'NORMAL' && synchronous !== 'FULL') throw new InvalidArgumentError('store.synchronous', 'must be NORMAL or FULL');
	const sqlite = await import('node:sqlite').catch(() => null);
	if (!sqlite) {
		throw new StoreError(`the ${what} needs Node.js 22.13 or newer, for its built-in SQLite; this is Node.js ${process.versions.node}`, false);
	}
	const { DatabaseSync } = sqlite;
	try {
		if (path !== ':memory:') {
			mkdirSync(dirname(path), { recursive: true });
			// Owner-only from the first byte: codes are money-like. SQLite gives -wal and -shm the same mode.
			if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
		}
		const db = new DatabaseSync(path);
		db.exec(`PRAGMA busy_timeout = ${busyTimeout}`);
		db.exec('PRAGMA journal_mode = WAL');
		db.exec(`PRAGMA synchronous = ${synchronous}`);
		// Fewer, larger checkpoints: every checkpoint syncs, and a redeem touches several pages.
		db.exec('PRAGMA wal_autocheckpoint = 10000');
		return db;
	} catch (err) {
		throw new StoreError(`cannot open the ${what} at "${path}": ${(err as Error).message}`, false, { cause: err });
	}
}

/** Brings the tables up to `migrations.length`, recording the version in `metaTable`; refuses a newer file. */
export function migrateSchema(db: DatabaseSync, path: string, metaTable: string, migrations: readonly string[], what: string): void {
	try {
		db.exec('BEGIN IMMEDIATE');
		try {
			db.exec(`CREATE TABLE IF NOT EXISTS ${metaTable} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
			const row = db.prepare(`SELECT value FROM ${metaTable} WHERE key = 'schema_version'`).get() as { value?: unknown } | undefined;
			const current = row ? Number(row.value) : 0;
			if (current > migrations.length) {
				throw new Error(`it was written by a newer Coupon Kit (${metaTable} version ${current}); upgrade the package`);
			}
			for (let v = current; v < migrations.length; v++) db.exec(migrations[v]);
			db.prepare(
				`INSERT INTO ${metaTable} (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
			).run(String(migrations.length));
			db.exec('COMMIT');
		} catch (err) {
			db.exec('ROLLBACK');
			throw err;
		}
		if (path !== ':memory:') {
			for (const suffix of ['-wal', '-shm']) if (existsSync(path + suffix)) chmodSync(path + suffix, 0o600);
		}
	} catch (err) {
		db.close();
		throw new StoreError(`the file at "${path}" is not a usable ${what}: ${(err as Error).message}`, false, { cause: err });
	}
}

export type Row = Record<string, unknown>;
export type SqlValue = string | number | null;

/** Statements prepared once per SQL text and reused for the life of the connection. */
export abstract class PreparedStatements {
	private readonly prepared = new Map<string, StatementSync>();

	protected constructor(readonly db: DatabaseSync) {}

	private statement(sql: string): StatementSync {
		let s = this.prepared.get(sql);
		if (!s) {
			s = this.db.prepare(sql);
			this.prepared.set(sql, s);
		}
		return s;
	}

	protected get(sql: string, ...params: SqlValue[]): Row | undefined {
		return this.statement(sql).get(...params) as Row | undefined;
	}

	protected all(sql: string, ...params: SqlValue[]): Row[] {
		return this.statement(sql).all(...params) as Row[];
	}

	/** Runs a write and returns how many rows it changed. */
	protected run(sql: string, ...params: SqlValue[]): number {
		return Number(this.statement(sql).run(...params).changes);
	}

	protected forgetStatements(): void {
		this.prepared.clear();
	}
}
