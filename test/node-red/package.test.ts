// The package as a user gets it: `npm pack`, installed into a fresh Node-RED user directory, Node-RED
// started headless; its admin API must list every Coupon Kit node enabled and the examples.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningNodeRed, ROOT, freePort, installInto, packProject, startNodeRed, tempDir, writeSettings } from '../../scripts/node-red-userdir';

interface NodeSet {
	id: string;
	module: string;
	types: string[];
	enabled: boolean;
	err?: string;
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
	name: string;
	'node-red': { nodes: Record<string, string> };
	peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};
// npm installs peer dependencies unless they are optional: the Palette Manager would pull n8n-workflow
// and its native modules (isolated-vm), which fail to build on many machines.
const peerOptional = pkg.peerDependenciesMeta?.['n8n-workflow']?.optional === true;
const TYPES = ['coupon-kit-store', 'coupon-kit-webhook', 'coupon', 'coupon trigger', 'coupon webhook', 'coupon platform'];

describe('packaged install into Node-RED', () => {
	let dir: string;
	let red: RunningNodeRed;

	beforeAll(async () => {
		dir = tempDir('ck-nr-pkg-');
		const tarball = packProject(join(dir, 'pack'));
		const userDir = join(dir, 'user');
		// Exactly as the Palette Manager installs it, once n8n-workflow is an optional peer.
		installInto(userDir, tarball, { skipPeers: !peerOptional });
		writeSettings(userDir);
		red = await startNodeRed({ userDir, port: await freePort() });
	}, 240_000);

	afterAll(async () => {
		await red?.stop();
		rmSync(dir, { recursive: true, force: true });
	});

	async function get(path: string): Promise<unknown> {
		const res = await fetch(`${red.url}${path}`, { headers: { Accept: 'application/json' } });
		if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
		return res.json();
	}

	it('does not make the Palette Manager install n8n (n8n-workflow is an optional peer)', () => {
		expect(peerOptional).toBe(true);
	});

	it('enables every node set of the package without an error', async () => {
		const sets = ((await get('/nodes')) as NodeSet[]).filter((s) => s.module === pkg.name);
		expect(sets.map((s) => s.id.split('/')[1]).sort()).toEqual(Object.keys(pkg['node-red'].nodes).sort());
		for (const set of sets) expect({ id: set.id, enabled: set.enabled, err: set.err ?? null }).toEqual({ id: set.id, enabled: true, err: null });
		expect(sets.flatMap((s) => s.types).sort()).toEqual([...TYPES].sort());
	});

	it('lists the Quick tour under Import › Examples', async () => {
		expect(await get(`/library/examples/flows/${pkg.name}`)).toEqual(expect.arrayContaining([expect.objectContaining({ fn: 'quick-tour' })]));
		const flow = (await get(`/library/examples/flows/${pkg.name}/quick-tour`)) as Array<{ type: string }>;
		expect(flow.some((n) => n.type === 'coupon')).toBe(true);
	});

	it('serves the help, the editor and the operation table to the editor', async () => {
		const html = await fetch(`${red.url}/nodes`, { headers: { Accept: 'text/html' } }).then((r) => r.text());
		for (const type of TYPES) expect(html).toContain(`data-template-name="${type}"`);
		expect(html).toContain('data-help-name="coupon"');
		const ops = (await get('/coupon-kit/operations')) as Array<{ id: string }>;
		expect(ops.map((r) => r.id)).toEqual(['code', 'campaign', 'customer', 'analytics']);
	});
});
