import * as os from 'node:os';
import * as path from 'node:path';
import type { NodeAPI, NodeDef } from 'node-red';
import type { CouponEngine, StoreOptions } from '../../../core/api';
import { acquireEngine, releaseEngine } from '../../../core/hosts/engineCache';
import { DEFAULT_SQLITE_FILE, toStoreOptions } from '../../../core/hosts/storeSettings';
import { redactError, storeSecrets } from '../../../core/redact';
import { type CouponKitStoreNode, type StoreCredentials, STORE_TYPE, errorText } from '../lib/store';

interface StoreNodeDef extends NodeDef {
	mode?: string;
	path?: string;
	synchronous?: string;
	host?: string;
	port?: string | number;
	db?: string | number;
	tls?: boolean;
	keyPrefix?: string;
	cluster?: string;
}

export default function (RED: NodeAPI): void {
	function userDir(): string {
		const dir = (RED.settings as { userDir?: string }).userDir;
		return dir ? path.resolve(dir) : path.join(os.homedir(), '.node-red');
	}

	function CouponKitStore(this: CouponKitStoreNode, def: StoreNodeDef): void {
		RED.nodes.createNode(this, def);
		setUp(this, def);
	}

	function setUp(node: CouponKitStoreNode, def: StoreNodeDef): void {
		const credentials: StoreCredentials = node.credentials ?? {};
		// From the credentials as typed, so they are known even when the settings are refused.
		const secrets = storeSecrets({ type: 'redis', url: credentials.url, password: credentials.password });
		Object.defineProperty(node, 'secrets', { value: secrets, enumerable: false });

		let options: StoreOptions | null = null;
		let settingsError: Error | null = null;
		try {
			const base = userDir();
			options = toStoreOptions(
				{
					mode: def.mode,
					path: def.path,
					synchronous: def.synchronous,
					url: credentials.url,
					host: def.host,
					port: def.port,
					db: def.db,
					tls: def.tls,
					username: credentials.username,
					password: credentials.password,
					keyPrefix: def.keyPrefix,
					cluster: def.cluster,
				},
				{ sqlitePath: path.join(base, DEFAULT_SQLITE_FILE), baseDir: base },
			);
		} catch (err) {
			settingsError = redactError(err, secrets);
			node.error(RED._('coupon-kit-store.errors.settings', { message: errorText(settingsError, secrets) }));
		}

		const where = describe(options);
		Object.defineProperty(node, 'where', { value: where, enumerable: true });

		// The engine opens on deploy so a wrong path or an unreachable Redis shows up at once in the log.
		let opening: Promise<CouponEngine> | null = null;
		let closed = false;
		const open = (): Promise<CouponEngine> => {
			if (settingsError) return Promise.reject(settingsError);
			if (closed) return Promise.reject(new Error(RED._('coupon-kit-store.errors.closed')));
			if (!opening) {
				// Whoever waits for the engine gets the failure without secrets or raw driver causes.
				const attempt = acquireEngine(options as StoreOptions).catch((err: unknown) => {
					throw redactError(err, secrets);
				});
				opening = attempt;
				attempt.catch((err: unknown) => {
					if (opening === attempt) opening = null;
					node.error(RED._('coupon-kit-store.errors.open', { where, message: errorText(err, secrets) }));
				});
			}
			return opening;
		};
		node.engine = open;
		node.storeOptions = () => {
			if (settingsError || !options) throw settingsError ?? new Error('no store settings');
			return options;
		};
		if (!settingsError) open().catch(() => undefined);

		node.on('close', (_removed: boolean, done: () => void) => {
			closed = true;
			const pending = opening;
			opening = null;
			if (!pending || !options) {
				done();
				return;
			}
			const settings = options;
			pending
				.then(
					() => releaseEngine(settings),
					() => undefined,
				)
				.catch((err: unknown) => node.warn(RED._('coupon-kit-store.errors.close', { message: errorText(err, secrets) })))
				.finally(done);
		});
	}

	function describe(options: StoreOptions | null): string {
		if (!options) return '';
		if (options.type === 'sqlite') return options.path;
		if (options.cluster?.length) return `redis cluster ${options.cluster.join(',')}`;
		if (options.url) {
			try {
				const url = new URL(options.url);
				return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
			} catch {
				return 'redis';
			}
		}
		return `redis://${options.host ?? 'localhost'}:${options.port ?? 6379}/${options.db ?? 0}`;
	}

	RED.nodes.registerType<CouponKitStoreNode, StoreNodeDef, object, StoreCredentials>(STORE_TYPE, CouponKitStore, {
		credentials: {
			url: { type: 'text' },
			username: { type: 'text' },
			password: { type: 'password' },
		},
	});
}
