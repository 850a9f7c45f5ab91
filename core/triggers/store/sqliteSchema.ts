// Trigger tables, beside the engine's in the same file; every name starts with trig_.

export const TRIGGER_MIGRATIONS: string[] = [
	`CREATE TABLE IF NOT EXISTS trig_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

	-- Carts and recurring schedules (calendar, birthday, renewal). due_at is set only while something is due.
	CREATE TABLE trig_entries (
		scope TEXT NOT NULL,
		kind TEXT NOT NULL,
		key TEXT NOT NULL,
		state TEXT NOT NULL,
		due_at INTEGER,
		version INTEGER NOT NULL,
		occurrence TEXT,
		last_fired TEXT,
		customer_key TEXT,
		activity_at INTEGER,
		quiet_ms INTEGER NOT NULL DEFAULT 0,
		payload TEXT NOT NULL,
		fired_by TEXT,
		updated_at INTEGER NOT NULL,
		PRIMARY KEY (scope, kind, key)
	) WITHOUT ROWID;
	CREATE INDEX trig_entries_due ON trig_entries (scope, kind, due_at) WHERE due_at IS NOT NULL;
	CREATE INDEX trig_entries_idle ON trig_entries (kind, updated_at) WHERE due_at IS NULL;

	-- Orders seen (dedupe) with the purchase number each got.
	CREATE TABLE trig_orders (
		scope TEXT NOT NULL,
		order_id TEXT NOT NULL,
		purchase_count INTEGER,
		seen_at INTEGER NOT NULL,
		PRIMARY KEY (scope, order_id)
	) WITHOUT ROWID;
	CREATE INDEX trig_orders_seen ON trig_orders (seen_at);

	CREATE TABLE trig_customers (
		scope TEXT NOT NULL,
		customer_key TEXT NOT NULL,
		purchases INTEGER NOT NULL DEFAULT 0,
		quiet_until INTEGER,
		PRIMARY KEY (scope, customer_key)
	) WITHOUT ROWID;

	CREATE TABLE trig_expiring (
		scope TEXT NOT NULL,
		cursor_name TEXT NOT NULL,
		code TEXT NOT NULL,
		due_at INTEGER NOT NULL,
		payload TEXT NOT NULL,
		PRIMARY KEY (scope, cursor_name, code)
	) WITHOUT ROWID;
	CREATE INDEX trig_expiring_due ON trig_expiring (scope, cursor_name, due_at);

	CREATE TABLE trig_cursors (
		scope TEXT NOT NULL,
		name TEXT NOT NULL,
		cursor TEXT,
		lease_token TEXT,
		lease_until INTEGER,
		updated_at INTEGER NOT NULL,
		PRIMARY KEY (scope, name)
	) WITHOUT ROWID;`,

	// Webhook deliveries seen (replay protection), forgotten once their signed time is out of the window.
	`CREATE TABLE trig_deliveries (
		scope TEXT NOT NULL,
		key TEXT NOT NULL,
		expires_at INTEGER NOT NULL,
		PRIMARY KEY (scope, key)
	) WITHOUT ROWID;
	CREATE INDEX trig_deliveries_expiry ON trig_deliveries (expires_at);`,
];
