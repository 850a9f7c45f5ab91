// Known secrets, every form they could come back in, and a recorder of everything a host emits.
// A test feeds the secrets in, records what came out (errors, outputs, logs, statuses, console,
// ledger) and asks `leaks()` whether any form of any secret is in there.
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';

/** A unique secret: `S3CRET-<label>-<hex>` plus an optional tail (characters a URL must encode, say). */
export function makeSecret(label: string, tail = ''): string {
	return `S3CRET-${label}-${randomBytes(6).toString('hex')}${tail}`;
}

/** The part of a secret that is unique to this run: found even in a clipped or partly encoded copy. */
function marker(secret: string): string | null {
	return /^S3CRET-[a-z-]+-[0-9a-f]{12}/.exec(secret)?.[0] ?? null;
}

/**
 * The stretches of base64 that encode `text` wherever it sits in a longer byte string: one per
 * alignment (0, 1 or 2 bytes before it), without the characters that depend on the neighbours.
 */
function base64Cores(text: string, alphabet: 'base64' | 'base64url'): string[] {
	const bytes = Buffer.from(text, 'utf8');
	const cores: string[] = [];
	for (let pad = 0; pad < 3; pad++) {
		const encoded = Buffer.concat([Buffer.alloc(pad), bytes]).toString(alphabet).replace(/=+$/, '');
		// Leading characters mix in the padding bytes; trailing ones the bytes after the secret.
		const start = pad === 0 ? 0 : pad === 1 ? 2 : 3;
		const fullGroups = Math.floor((pad + bytes.length) / 3) * 4;
		const core = encoded.slice(start, fullGroups);
		if (core.length >= 12) cores.push(core);
	}
	return cores;
}

/** Every form to look for: as is, its unique marker, URL-encoded, JSON-escaped, base64 and base64url. */
export function needles(secrets: readonly string[]): string[] {
	const out = new Set<string>();
	for (const secret of secrets) {
		out.add(secret);
		const m = marker(secret);
		if (m) out.add(m);
		out.add(encodeURIComponent(secret));
		out.add(encodeURI(secret));
		out.add(JSON.stringify(secret).slice(1, -1));
		for (const core of [...base64Cores(secret, 'base64'), ...base64Cores(secret, 'base64url')]) out.add(core);
	}
	return [...out].filter((n) => n.length >= 8);
}

/** Text of anything: util.inspect (errors with their cause chain and own properties) and JSON. */
export function dump(value: unknown): string {
	const inspected = inspect(value, { depth: 30, maxArrayLength: Infinity, maxStringLength: Infinity, breakLength: Infinity, getters: false });
	let json = '';
	try {
		const seen = new WeakSet<object>();
		json = JSON.stringify(value, (_key, v: unknown) => {
			if (v instanceof Error) {
				const own: Record<string, unknown> = {};
				for (const key of Object.getOwnPropertyNames(v)) own[key] = (v as unknown as Record<string, unknown>)[key];
				return { name: v.name, ...own };
			}
			if (typeof v === 'object' && v !== null) {
				if (seen.has(v)) return '[circular]';
				seen.add(v);
			}
			if (typeof v === 'bigint') return v.toString();
			return v;
		});
	} catch (error) {
		json = `(not JSON: ${String(error)})`;
	}
	return `${inspected}\n${json ?? ''}`;
}

export interface Leak {
	where: string;
	form: string;
	excerpt: string;
}

/** Records what was emitted, by where it came from; spies on the console and the process streams. */
export class Recorder {
	private readonly records: Array<{ where: string; text: string }> = [];
	private readonly restores: Array<() => void> = [];

	add(where: string, value: unknown): void {
		this.records.push({ where, text: typeof value === 'string' ? value : dump(value) });
	}

	/** How many things were recorded whose origin starts with `prefix` (so a test can prove it looked). */
	count(prefix: string): number {
		return this.records.filter((r) => r.where.startsWith(prefix)).length;
	}

	texts(prefix: string): string[] {
		return this.records.filter((r) => r.where.startsWith(prefix)).map((r) => r.text);
	}

	/** Captures console.* and every write to stdout / stderr (output still goes through). */
	watchConsole(): void {
		for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
			const original = console[method];
			console[method] = (...args: unknown[]) => {
				this.add(`console.${method}`, args);
				original.apply(console, args);
			};
			this.restores.push(() => {
				console[method] = original;
			});
		}
		for (const name of ['stdout', 'stderr'] as const) {
			const stream = process[name];
			const original = stream.write;
			stream.write = ((chunk: unknown, ...rest: unknown[]) => {
				this.add(`process.${name}`, Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
				return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
			}) as typeof stream.write;
			this.restores.push(() => {
				stream.write = original;
			});
		}
	}

	restore(): void {
		while (this.restores.length > 0) this.restores.pop()?.();
	}

	leaks(secrets: readonly string[]): Leak[] {
		const forms = needles(secrets);
		const found: Leak[] = [];
		for (const { where, text } of this.records) {
			for (const form of forms) {
				const at = text.indexOf(form);
				if (at >= 0) found.push({ where, form, excerpt: text.slice(Math.max(0, at - 120), at + form.length + 60) });
			}
		}
		return found;
	}
}
