// Test credentials for the Coupon Kit Store: a fresh SQLite file per call, or Redis with its own prefix.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

export function sqliteCredentials(): ICredentialDataDecryptedObject {
	const dir = mkdtempSync(join(tmpdir(), 'ck-n8n-store-'));
	return { mode: 'embedded', path: join(dir, 'coupons.db'), synchronous: 'NORMAL' };
}

export function redisCredentials(): ICredentialDataDecryptedObject {
	const url = process.env.REDIS_URL;
	if (!url) throw new Error('REDIS_URL is not set: jest globalSetup starts a redis-server and sets it');
	return { mode: 'redis', connection: 'url', url, prefix: `ck-n8n-${randomUUID().slice(0, 8)}:` };
}

export const STORES: Array<[string, () => ICredentialDataDecryptedObject]> = [
	['sqlite', sqliteCredentials],
	['redis', redisCredentials],
];
