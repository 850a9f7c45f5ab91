// Makes sure dist/ is built from the current sources, once even when several test files ask at the same time.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');

function newest(dir: string, pattern: RegExp): number {
	let latest = 0;
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) latest = Math.max(latest, newest(path, pattern));
		else if (pattern.test(entry.name)) latest = Math.max(latest, statSync(path).mtimeMs);
	}
	return latest;
}

function isFresh(): boolean {
	let built: number;
	try {
		built = statSync(join(ROOT, 'dist', 'nodes', 'n8n', 'Coupon', 'Coupon.node.js')).mtimeMs;
	} catch {
		return false;
	}
	const sources = Math.max(
		...['core', 'nodes', 'credentials'].map((d) => newest(join(ROOT, d), /\.(ts|json|svg|lua)$/)),
		statSync(join(ROOT, 'package.json')).mtimeMs,
	);
	return built >= sources;
}

export function ensureBuilt(): void {
	if (isFresh()) return;
	const lock = join(ROOT, '.test-tmp', 'build.lock');
	mkdirSync(join(ROOT, '.test-tmp'), { recursive: true });
	const deadline = Date.now() + 180_000;
	for (;;) {
		try {
			mkdirSync(lock);
			break;
		} catch {
			if (Date.now() > deadline) throw new Error(`could not take ${lock}; remove it if no build is running`);
			Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
		}
	}
	try {
		if (!isFresh()) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
	} finally {
		rmSync(lock, { recursive: true, force: true });
	}
}
