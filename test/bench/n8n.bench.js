// Issue N codes through one execution of the n8n Coupon node (N input items) against the engine alone
// issuing the same N codes, in the same run, each on a fresh SQLite file. Runs on the built dist/.
// Standalone: `node test/bench/n8n.bench.js` (after `npm run build`); `BENCH_N8N_ITEMS` changes N.
'use strict';
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const ITEMS = Number(process.env.BENCH_N8N_ITEMS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_N8N_ROUNDS ?? 3);
const WARMUP = 200;
const TARGET = 1.5;

const work = mkdtempSync(join(tmpdir(), 'ck-bench-n8n-'));
// n8n-core reads these when it loads: keep it out of ~/.n8n and quiet.
process.env.N8N_USER_FOLDER = work;
process.env.N8N_LOG_LEVEL = 'silent';

const { ExecutionLifecycleHooks, PackageDirectoryLoader, WorkflowExecute } = require('n8n-core');
const { ICredentialsHelper, NodeHelpers, Workflow, createRunExecutionData } = require('n8n-workflow');

const CAMPAIGN = {
	id: 'bench',
	code: { pattern: 'BENCH-######-######' },
	discount: { type: 'percent', value: 10 },
};

class Credentials extends ICredentialsHelper {
	constructor(data) {
		super();
		this.data = data;
	}
	getParentTypes() {
		return [];
	}
	isCredentialUsableByNode() {
		return true;
	}
	async authenticate(_c, _t, options) {
		return options;
	}
	async preAuthentication() {
		return undefined;
	}
	async runPreAuthentication() {
		return undefined;
	}
	async getCredentials() {
		throw new Error('not used');
	}
	async getDecrypted(_a, _d, type) {
		return { ...this.data[type] };
	}
	async updateCredentials() {}
	async updateCredentialsOauthTokenData() {}
	getCredentialsProperties() {
		return [];
	}
}

function nodeTypesOf(loader) {
	const byName = new Map(Object.entries(loader.nodeTypes).map(([name, { type }]) => [`n8n-nodes-coupon-kit.${name}`, type]));
	return {
		getByName: (name) => byName.get(name),
		getByNameAndVersion: (name, version) => NodeHelpers.getVersionedNodeType(byName.get(name), version),
		getKnownTypes: () => ({}),
	};
}

const BASE = 'http://localhost:5678';

async function executeCoupon(nodeTypes, storePath, items) {
	const node = {
		id: 'issue',
		name: 'Issue',
		type: 'n8n-nodes-coupon-kit.coupon',
		typeVersion: 1,
		position: [0, 0],
		parameters: {
			resource: 'code',
			operation: 'issue',
			campaignId: 'bench',
			additionalFields: { customerId: '={{ $json.customer }}', channel: 'email' },
		},
		credentials: { couponKitStoreApi: { id: 'bench-store', name: 'Bench store' } },
	};
	const workflow = new Workflow({ id: 'bench', name: 'bench', nodes: [node], connections: {}, nodeTypes, active: false, settings: { executionOrder: 'v1' } });
	const hooks = new ExecutionLifecycleHooks('manual', 'bench', {
		id: 'bench',
		name: 'bench',
		active: false,
		isArchived: false,
		nodes: [node],
		connections: {},
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	});
	const additionalData = {
		credentialsHelper: new Credentials({ couponKitStoreApi: { mode: 'embedded', path: storePath } }),
		hooks,
		currentNodeExecutionIndex: 0,
		variables: {},
		logAiEvent: () => {},
		executeWorkflow: async () => {
			throw new Error('not used');
		},
		getRunExecutionData: async () => undefined,
		restApiUrl: `${BASE}/rest`,
		instanceBaseUrl: `${BASE}/`,
		formBaseUrl: `${BASE}/form`,
		formTestBaseUrl: `${BASE}/form-test`,
		formWaitingBaseUrl: `${BASE}/form-waiting`,
		webhookBaseUrl: `${BASE}/webhook`,
		webhookTestBaseUrl: `${BASE}/webhook-test`,
		webhookWaitingBaseUrl: `${BASE}/webhook-waiting`,
		mcpBaseUrl: `${BASE}/mcp`,
		mcpTestBaseUrl: `${BASE}/mcp-test`,
	};
	const input = Array.from({ length: items }, (_, i) => ({ json: { customer: `c-${i}` } }));
	const runData = createRunExecutionData({
		executionData: { nodeExecutionStack: [{ node, data: { main: [input] }, source: null }] },
	});
	const t = process.hrtime.bigint();
	const run = await new WorkflowExecute(additionalData, 'manual', runData).processRunExecutionData(workflow);
	const secs = Number(process.hrtime.bigint() - t) / 1e9;
	const out = run.data.resultData.runData.Issue?.[0]?.data?.main?.[0] ?? [];
	if (run.status !== 'success' || out.length !== items || out.some((i) => i.json.ok !== true)) {
		throw new Error(`the n8n execution did not issue ${items} codes: ${run.data.resultData.error?.message ?? run.status}`);
	}
	return secs;
}

async function n8nRound(nodeTypes, openEngine, path) {
	const setup = await openEngine({ store: { type: 'sqlite', path } });
	await setup.createCampaign(CAMPAIGN);
	await setup.close();
	// The first execution opens the shared engine; the measured one finds it open, as in a running n8n.
	await executeCoupon(nodeTypes, path, WARMUP);
	return await executeCoupon(nodeTypes, path, ITEMS);
}

async function engineRound(openEngine, path) {
	const engine = await openEngine({ store: { type: 'sqlite', path } });
	await engine.createCampaign(CAMPAIGN);
	for (let i = 0; i < WARMUP; i++) await engine.issue({ campaignId: 'bench', customerId: `w-${i}`, channel: 'email' });
	const t = process.hrtime.bigint();
	for (let i = 0; i < ITEMS; i++) {
		const r = await engine.issue({ campaignId: 'bench', customerId: `c-${i}`, channel: 'email' });
		if (!r.ok) throw new Error(`engine issue failed: ${r.reason}`);
	}
	const secs = Number(process.hrtime.bigint() - t) / 1e9;
	await engine.close();
	return secs;
}

async function run() {
	const loader = new PackageDirectoryLoader(ROOT);
	await loader.loadAll();
	const nodeTypes = nodeTypesOf(loader);
	// The engine from the same dist/ the node uses.
	const { openEngine } = require(join(ROOT, 'dist', 'core'));
	const { releaseAllEngines } = require(join(ROOT, 'dist', 'nodes', 'n8n', 'shared', 'store.js'));
	let best = { node: Infinity, engine: Infinity };
	try {
		for (let round = 0; round < ROUNDS; round++) {
			best.engine = Math.min(best.engine, await engineRound(openEngine, join(work, `engine-${round}.db`)));
			best.node = Math.min(best.node, await n8nRound(nodeTypes, openEngine, join(work, `n8n-${round}.db`)));
		}
	} finally {
		await releaseAllEngines();
		rmSync(work, { recursive: true, force: true });
	}
	const ratio = best.node / best.engine;
	return [
		{
			name: `issue ${ITEMS} codes: one n8n execution of the Coupon node (${ITEMS} items) vs the engine alone`,
			value: best.node,
			unit: 's',
			baseline: best.engine,
			ratio,
			target: `≤ ${TARGET}`,
			met: ratio <= TARGET,
		},
		{
			name: 'Coupon node throughput',
			value: ITEMS / best.node,
			unit: 'codes/s',
			baseline: ITEMS / best.engine,
			ratio: best.engine / best.node,
		},
	];
}

module.exports = run;

if (require.main === module) {
	run().then(
		(rows) => console.table(rows),
		(err) => {
			console.error(err);
			process.exitCode = 1;
		},
	);
}
