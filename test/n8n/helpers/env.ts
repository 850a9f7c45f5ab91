// Imported first by the harness: n8n-core reads these when its modules load.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (!process.env.COUPON_KIT_TEST_N8N_FOLDER) {
	process.env.COUPON_KIT_TEST_N8N_FOLDER = mkdtempSync(join(tmpdir(), 'ck-n8n-user-'));
}
process.env.N8N_USER_FOLDER = process.env.COUPON_KIT_TEST_N8N_FOLDER;
process.env.N8N_LOG_LEVEL = 'silent';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
