// The package as n8n sees it: `npm pack`, unpack, and load every node and credential the way n8n does
// (PackageDirectoryLoader reads the `n8n` section of package.json), then run a workflow on those classes.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PackageDirectoryLoader } from 'n8n-core';
import type { INodeType, IVersionedNodeType } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { ensureBuilt, ROOT } from './helpers/dist';
import { runWorkflow, TestNodeTypes } from './helpers/harness';
import { redisCredentials, sqliteCredentials } from './helpers/stores';
import { chain, node, STORE_REF } from './helpers/workflows';

const PACKAGE = 'n8n-nodes-coupon-kit';
let packageDir: string;
let loader: PackageDirectoryLoader;

beforeAll(async () => {
	ensureBuilt();
	const out = mkdtempSync(join(tmpdir(), 'ck-pack-'));
	const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop();
	execFileSync('tar', ['-xzf', join(out, String(tarball)), '-C', out]);
	packageDir = join(out, 'package');
	// What `npm install` would add next to it: the dependencies (and n8n's own n8n-workflow).
	symlinkSync(join(ROOT, 'node_modules'), join(packageDir, 'node_modules'), 'dir');
	loader = new PackageDirectoryLoader(packageDir);
	await loader.loadAll();
}, 240_000);

afterAll(async () => {
	// The packed copy has its own module instances: let go of what they opened.
	const store = (await import(join(packageDir, 'dist/nodes/n8n/shared/store.js'))) as { releaseAllEngines(): Promise<void> };
	const triggers = (await import(join(packageDir, 'dist/nodes/n8n/shared/triggers.js'))) as { closeAllTriggers(): Promise<void> };
	await triggers.closeAllTriggers();
	await store.releaseAllEngines();
});

test('the tarball holds every file the n8n section points at, and nothing from the sources', () => {
	const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };
	expect(pkg.n8n.nodes).toHaveLength(4);
	expect(pkg.n8n.credentials).toHaveLength(2);
	for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(existsSync(join(packageDir, file))).toBe(true);
	expect(existsSync(join(packageDir, 'nodes'))).toBe(false);
	expect(existsSync(join(packageDir, 'test'))).toBe(false);
});

test('every node and credential loads, with icon, codex and credential test', () => {
	expect(Object.keys(loader.nodeTypes).sort()).toEqual(['coupon', 'couponPlatform', 'couponTrigger', 'couponWebhookTrigger']);
	expect(Object.keys(loader.credentialTypes).sort()).toEqual(['couponKitStoreApi', 'couponKitWebhookApi']);
	expect(loader.known.credentials.couponKitStoreApi.supportedNodes?.sort()).toEqual([
		'coupon',
		'couponPlatform',
		'couponTrigger',
		'couponWebhookTrigger',
	]);
	for (const description of loader.types.nodes) {
		expect(String(description.iconUrl ?? '')).toMatch(/^icons\/n8n-nodes-coupon-kit\/dist\/nodes\/n8n\/.+\.svg$/);
		expect(existsSync(join(packageDir, String(description.iconUrl).replace(`icons/${PACKAGE}/`, '')))).toBe(true);
		expect(description.codex?.categories?.length).toBeGreaterThan(0);
	}
	for (const credential of loader.types.credentials) {
		expect(existsSync(join(packageDir, String(credential.iconUrl).replace(`icons/${PACKAGE}/`, '')))).toBe(true);
	}
	const coupon = NodeHelpers.getVersionedNodeType(loader.nodeTypes.coupon.type as IVersionedNodeType, 1) as INodeType;
	expect(coupon.description.usableAsTool).toBe(true);
	expect(typeof coupon.methods?.credentialTest?.couponKitStoreConnectionTest).toBe('function');
	expect((loader.nodeTypes.couponTrigger.type as INodeType).description.polling).toBe(true);
	expect((loader.nodeTypes.couponWebhookTrigger.type as INodeType).description.webhooks?.[0]).toMatchObject({ httpMethod: 'POST' });
});

function packedTypes(): TestNodeTypes {
	const types = new TestNodeTypes();
	for (const [name, { type }] of Object.entries(loader.nodeTypes)) types.add(`${PACKAGE}.${name}`, type);
	return types;
}

test.each([
	['sqlite', sqliteCredentials],
	['redis', redisCredentials],
])('the packed Coupon node runs a workflow on the %s store', async (_kind, makeStore) => {
	const coupon = (name: string, parameters: Record<string, unknown>) =>
		node(name, `${PACKAGE}.coupon`, parameters as never, { credentials: STORE_REF, executeOnce: true });
	const wf = chain(
		coupon('Create', { resource: 'campaign', operation: 'create', campaignId: 'packed', discountType: 'percent', discountValue: 20 }),
		coupon('Issue', { resource: 'code', operation: 'issue', campaignId: 'packed' }),
		coupon('Redeem', { resource: 'code', operation: 'redeem', code: '={{ $json.code }}', additionalFields: { orderAmount: 50 } }),
	);
	const run = await runWorkflow(wf, { nodeTypes: packedTypes(), credentials: { couponKitStoreApi: makeStore() } });
	expect(run.run.status).toBe('success');
	expect(run.json('Redeem')[0]).toMatchObject({ ok: true, campaignId: 'packed', discountAmount: 10 });
});
