// The Coupon Kit Store credential → one open engine per store, shared by every node and execution.
import { homedir } from 'node:os';
import { join } from 'node:path';

import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	IExecuteFunctions,
	IHookFunctions,
	INodeCredentialTestResult,
	IPollFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { CouponEngine, StoreOptions } from '../../../core/api';
import { CouponKitError, InvalidArgumentError } from '../../../core/errors';
import { acquireEngine, engineFingerprint, releaseEngine } from '../../../core/hosts/engineCache';
import type { StoreSettings } from '../../../core/hosts/storeSettings';
import { DEFAULT_SQLITE_FILE, toStoreOptions } from '../../../core/hosts/storeSettings';
import { redactText, storeSecrets } from '../../../core/redact';

export const STORE_CREDENTIAL = 'couponKitStoreApi';
export const STORE_CREDENTIAL_TEST = 'couponKitStoreConnectionTest';

type EngineContext = IExecuteFunctions | IPollFunctions | IWebhookFunctions | IHookFunctions;

/** Labels of the credential's fields, for messages naming one of them. */
const CREDENTIAL_LABELS: Record<string, string> = {
	mode: 'Store',
	path: 'Database File',
	synchronous: 'Durability',
	url: 'Redis URL',
	host: 'Host',
	port: 'Port',
	cluster: 'Cluster Nodes',
	username: 'User Name',
	password: 'Password',
	tls: 'Use TLS',
	db: 'Database Number',
	keyPrefix: 'Key Prefix',
	prefix: 'Key Prefix',
};

/** The n8n user folder as n8n itself finds it: `$N8N_USER_FOLDER/.n8n`, else `~/.n8n`. */
export function n8nFolder(): string {
	const userFolder = process.env.N8N_USER_FOLDER;
	return join(userFolder !== undefined && userFolder !== '' ? userFolder : homedir(), '.n8n');
}

export function defaultSqlitePath(): string {
	return join(n8nFolder(), DEFAULT_SQLITE_FILE);
}

/** Only the fields of the chosen kind of connection, so a hidden leftover value never takes effect. */
export function credentialToSettings(data: ICredentialDataDecryptedObject): StoreSettings {
	const text = (key: string): string | undefined => (typeof data[key] === 'string' ? (data[key] as string) : undefined);
	const scalar = (key: string): string | number | undefined => {
		const v = data[key];
		return typeof v === 'string' || typeof v === 'number' ? v : undefined;
	};
	const mode = text('mode') ?? 'embedded';
	if (mode !== 'redis') return { mode, path: text('path'), synchronous: text('synchronous') };
	const connection = text('connection') ?? 'url';
	const common: StoreSettings = { mode, keyPrefix: text('prefix') };
	if (connection === 'url') return { ...common, url: text('url') };
	const auth: StoreSettings = {
		username: text('username'),
		password: text('password'),
		tls: typeof data.tls === 'boolean' ? data.tls : undefined,
	};
	if (connection === 'cluster') return { ...common, ...auth, cluster: text('cluster') ?? '' };
	return { ...common, ...auth, host: text('host'), port: scalar('port'), db: scalar('db') };
}

export function credentialToStoreOptions(data: ICredentialDataDecryptedObject): StoreOptions {
	return toStoreOptions(credentialToSettings(data), { sqlitePath: defaultSqlitePath(), baseDir: n8nFolder() });
}

function describeStore(options: StoreOptions): string {
	if (options.type === 'sqlite') return `the embedded store at ${options.path}`;
	if (options.cluster?.length) return `the Redis Cluster at ${options.cluster.join(', ')}`;
	if (options.url) {
		try {
			const u = new URL(options.url);
			return `the Redis server at ${u.hostname}:${u.port || '6379'}`;
		} catch {
			return 'the Redis server';
		}
	}
	return `the Redis server at ${options.host ?? 'localhost'}:${options.port ?? 6379}`;
}

/**
 * Queue-mode workers each see their own disk: an embedded store there splits coupons between workers.
 * n8n sets EXECUTIONS_MODE=queue on main and workers alike.
 */
export function queueModeWarning(options: StoreOptions): string | null {
	if (options.type !== 'sqlite' || process.env.EXECUTIONS_MODE !== 'queue') return null;
	return 'n8n runs in queue mode but the Coupon Kit Store credential uses the embedded SQLite file: unless every worker shares that file on one machine, workers see different coupons. Choose Redis in the credential.';
}

/** Engines n8n holds: one reference per store fingerprint, kept for the life of the process. */
const held = new Map<string, { options: StoreOptions; engine: Promise<CouponEngine> }>();
/** Which fingerprint each credential last used, so an edited credential lets go of the old store. */
const byCredential = new Map<string, string>();

function holdEngine(options: StoreOptions, credentialKey: string): Promise<CouponEngine> {
	const fingerprint = engineFingerprint(options);
	let entry = held.get(fingerprint);
	if (!entry) {
		const engine = acquireEngine(options);
		const created = { options, engine };
		held.set(fingerprint, created);
		engine.catch(() => {
			if (held.get(fingerprint) === created) held.delete(fingerprint);
		});
		entry = created;
	}
	const previous = byCredential.get(credentialKey);
	byCredential.set(credentialKey, fingerprint);
	if (previous !== undefined && previous !== fingerprint && ![...byCredential.values()].includes(previous)) {
		const old = held.get(previous);
		held.delete(previous);
		if (old) void old.engine.then(() => releaseEngine(old.options)).catch(() => undefined);
	}
	return entry.engine;
}

/** Lets go of every engine n8n holds (tests, shutdown). */
export async function releaseAllEngines(): Promise<void> {
	const entries = [...held.values()];
	held.clear();
	byCredential.clear();
	await Promise.all(
		entries.map(async (entry) => {
			try {
				await entry.engine;
			} catch {
				return;
			}
			await releaseEngine(entry.options);
		}),
	);
}

export interface OpenStore {
	engine: CouponEngine;
	options: StoreOptions;
	/** Same store settings, same fingerprint. */
	fingerprint: string;
}

/** The shared engine for the node's Coupon Kit Store credential; opens the store on first use only. */
export async function getEngine(ctx: EngineContext, itemIndex?: number): Promise<CouponEngine> {
	return (await getStore(ctx, itemIndex)).engine;
}

export async function getStore(ctx: EngineContext, itemIndex?: number): Promise<OpenStore> {
	const node = ctx.getNode();
	const data = await ctx.getCredentials(STORE_CREDENTIAL);
	let options: StoreOptions;
	try {
		options = credentialToStoreOptions(data);
	} catch (error) {
		if (error instanceof InvalidArgumentError) {
			const label = CREDENTIAL_LABELS[error.field] ?? error.field;
			const problem = error.message.startsWith(`${error.field}: `) ? error.message.slice(error.field.length + 2) : error.message;
			throw new NodeOperationError(node, `Coupon Kit Store credential: ${label} ${problem}`, {
				itemIndex,
				description: `Open the Coupon Kit Store credential and correct "${label}".`,
			});
		}
		throw error;
	}
	const fingerprint = engineFingerprint(options);
	const credentialKey = node.credentials?.[STORE_CREDENTIAL]?.id ?? fingerprint;
	try {
		return { engine: await holdEngine(options, credentialKey), options, fingerprint };
	} catch (error) {
		throw storeOpenError(ctx, options, error, itemIndex);
	}
}

export function storeOpenError(ctx: EngineContext, options: StoreOptions, error: unknown, itemIndex?: number): NodeOperationError {
	// The cause goes in the description: n8n rewrites messages that contain ECONNREFUSED and the like.
	const cause = redactText(error instanceof Error ? error.message : String(error), storeSecrets(options));
	return new NodeOperationError(ctx.getNode(), `Could not open ${describeStore(options)}`, {
		itemIndex,
		description:
			options.type === 'sqlite'
				? `${cause}. Check that the folder of the database file exists and that n8n may write to it, then check the "Database File" of the Coupon Kit Store credential.`
				: `${cause}. Check that Redis is running and reachable from n8n, and the URL, host, port, password and TLS setting of the Coupon Kit Store credential.`,
	});
}

/** Credential test: opens the store for real and runs one cheap read, reporting problems in words. */
export async function testStoreCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	let options: StoreOptions;
	try {
		options = credentialToStoreOptions(credential.data ?? {});
	} catch (error) {
		if (error instanceof InvalidArgumentError) {
			const label = CREDENTIAL_LABELS[error.field] ?? error.field;
			const problem = error.message.startsWith(`${error.field}: `) ? error.message.slice(error.field.length + 2) : error.message;
			return { status: 'Error', message: `${label} ${problem}` };
		}
		return { status: 'Error', message: error instanceof Error ? error.message : String(error) };
	}
	let engine: CouponEngine;
	try {
		engine = await acquireEngine(options);
	} catch (error) {
		const why = redactText(error instanceof Error ? error.message : String(error), storeSecrets(options));
		return { status: 'Error', message: `Could not open ${describeStore(options)}: ${why}` };
	}
	try {
		const campaigns = await engine.listCampaigns();
		return {
			status: 'OK',
			message: `Connected to ${describeStore(options)} (${campaigns.length} campaign${campaigns.length === 1 ? '' : 's'})`,
		};
	} catch (error) {
		const why = redactText(error instanceof CouponKitError || error instanceof Error ? error.message : String(error), storeSecrets(options));
		return { status: 'Error', message: `Opened ${describeStore(options)} but could not read from it: ${why}` };
	} finally {
		await releaseEngine(options);
	}
}
