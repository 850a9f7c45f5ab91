// Tables of the embedded store. Every change is a new step appended to MIGRATIONS (its length is the version).

export const MIGRATIONS: readonly string[] = [
	`
	CREATE TABLE IF NOT EXISTS campaigns (
		id TEXT PRIMARY KEY,
		version INTEGER NOT NULL,
		data TEXT NOT NULL
	);
	-- The hot counters live apart from the campaign document: a redeem then rewrites a tiny row.
	CREATE TABLE IF NOT EXISTS campaign_counters (
		campaign_id TEXT PRIMARY KEY,
		version INTEGER NOT NULL,
		issued INTEGER NOT NULL DEFAULT 0,
		redeemed INTEGER NOT NULL DEFAULT 0,
		-- latest hold_until of any reservation ever made: when it is past, no hold can be live
		hold_until_max INTEGER NOT NULL DEFAULT 0
	) WITHOUT ROWID;
	CREATE TABLE IF NOT EXISTS codes (
		key TEXT PRIMARY KEY,
		-- NULL when the code is shown exactly as its key
		code TEXT,
		campaign_id TEXT NOT NULL,
		customer_id TEXT,
		email TEXT,
		channel TEXT,
		issued_at INTEGER NOT NULL,
		expires_at INTEGER,
		voided_at INTEGER,
		redemptions INTEGER NOT NULL DEFAULT 0,
		metadata TEXT
	) WITHOUT ROWID;
	CREATE TABLE IF NOT EXISTS customer_usage (
		campaign_id TEXT NOT NULL,
		customer_key TEXT NOT NULL,
		redemptions INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (campaign_id, customer_key)
	) WITHOUT ROWID;
	CREATE TABLE IF NOT EXISTS units (
		id TEXT PRIMARY KEY,
		kind TEXT NOT NULL,
		state TEXT NOT NULL,
		campaign_id TEXT NOT NULL,
		code_key TEXT NOT NULL,
		code TEXT NOT NULL,
		customer_keys TEXT NOT NULL,
		customer_id TEXT,
		order_id TEXT,
		amount REAL,
		channel TEXT,
		created_at INTEGER NOT NULL,
		hold_until INTEGER
	) WITHOUT ROWID;
	CREATE TABLE IF NOT EXISTS holds (
		unit_id TEXT NOT NULL,
		campaign_id TEXT NOT NULL,
		code_key TEXT NOT NULL,
		customer_key TEXT NOT NULL,
		hold_until INTEGER NOT NULL,
		PRIMARY KEY (unit_id, customer_key)
	);
	CREATE INDEX IF NOT EXISTS holds_code ON holds (code_key, hold_until);
	CREATE INDEX IF NOT EXISTS holds_campaign ON holds (campaign_id, hold_until);
	CREATE INDEX IF NOT EXISTS holds_customer ON holds (campaign_id, customer_key, hold_until);
	CREATE TABLE IF NOT EXISTS events (
		seq INTEGER PRIMARY KEY,
		id TEXT NOT NULL,
		type TEXT NOT NULL,
		at INTEGER NOT NULL,
		campaign_id TEXT,
		code TEXT,
		customer_id TEXT,
		channel TEXT,
		count INTEGER NOT NULL,
		amount REAL,
		reason TEXT,
		data TEXT
	);
	CREATE INDEX IF NOT EXISTS events_at ON events (at);
	CREATE INDEX IF NOT EXISTS units_campaign ON units (campaign_id, state);
	CREATE TABLE IF NOT EXISTS idempotency (
		op TEXT NOT NULL,
		campaign_id TEXT NOT NULL,
		key TEXT NOT NULL,
		fingerprint TEXT NOT NULL,
		outcome TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		PRIMARY KEY (op, campaign_id, key)
	) WITHOUT ROWID;
	CREATE TABLE IF NOT EXISTS abuse_failures (key TEXT NOT NULL, at INTEGER NOT NULL);
	CREATE INDEX IF NOT EXISTS abuse_failures_key ON abuse_failures (key, at);
	CREATE TABLE IF NOT EXISTS abuse_blocks (key TEXT PRIMARY KEY, until INTEGER NOT NULL);
	CREATE TABLE IF NOT EXISTS customers (
		id TEXT PRIMARY KEY,
		email TEXT,
		data TEXT NOT NULL,
		updated_at INTEGER NOT NULL
	);
	CREATE INDEX IF NOT EXISTS customers_email ON customers (email);
	`,
	`
	ALTER TABLE codes ADD COLUMN expired_at INTEGER;
	CREATE INDEX IF NOT EXISTS codes_due_expiry ON codes (expires_at) WHERE expires_at IS NOT NULL AND expired_at IS NULL;
	`,
	// audit finds a campaign's units by their id range; the index cost every redeem a page.
	`
	DROP INDEX IF EXISTS units_campaign;
	`,
];
