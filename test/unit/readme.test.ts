// The README's "Use the engine from code" block is what a developer copies first: it must type-check under
// strict settings and run top to bottom as written.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ts from 'typescript';
import { openEngine } from '../../core';

const root = resolve(__dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Use the engine from code'));
const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
const dir = mkdtempSync(join(tmpdir(), 'ck-readme-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("README's engine example", () => {
	it('is found', () => {
		expect(block).toContain("from 'n8n-nodes-coupon-kit/core'");
		expect(block).toContain('await engine.close();');
	});

	it('type-checks under strict settings against the engine it documents', () => {
		const file = join(dir, 'example.ts');
		writeFileSync(file, `${block.replaceAll("'n8n-nodes-coupon-kit/core'", JSON.stringify(join(root, 'core')))}\nexport {};\n`);
		const program = ts.createProgram([file], {
			strict: true,
			noEmit: true,
			target: ts.ScriptTarget.ES2022,
			module: ts.ModuleKind.ES2022,
			moduleResolution: ts.ModuleResolutionKind.Bundler,
			lib: ['lib.es2022.d.ts'],
			types: ['node'],
			typeRoots: [join(root, 'node_modules/@types')],
			skipLibCheck: true,
		});
		const problems = ts
			.getPreEmitDiagnostics(program)
			.filter((d) => d.file?.fileName === file)
			.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
		expect(problems).toEqual([]);
	});

	it('runs as written and leaves the ledger it describes', async () => {
		const path = join(dir, 'coupons.db');
		const body = block
			.replace(/import \{([^}]*)\} from 'n8n-nodes-coupon-kit\/core';/, 'const {$1} = require(coreModule);')
			.replace("'coupons.db'", JSON.stringify(path));
		const js = ts.transpileModule(`return (async () => {\n${body}\nreturn { code, r, hold, printed };\n})();`, {
			compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None },
		}).outputText;
		const logged: unknown[] = [];
		const run = new Function('require', 'coreModule', 'console', js) as (
			req: NodeRequire,
			coreModule: string,
			console: { log: (...a: unknown[]) => void },
		) => Promise<{ code: string; r: { ok: boolean }; hold: { ok: boolean }; printed: string[] }>;
		const out = await run(require, join(root, 'core'), { log: (...a) => logged.push(a.join(' ')) });

		expect(out.code).toMatch(/^SPRING-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{5}$/);
		expect(logged).toEqual(['12 EUR off']);
		expect(out.r.ok).toBe(true);
		expect(out.hold.ok).toBe(true);
		expect(out.printed).toHaveLength(1000);

		const engine = await openEngine({ store: { type: 'sqlite', path } });
		try {
			expect(await engine.getCode(out.code)).toMatchObject({ state: 'redeemed', redemptions: 1, remainingUses: 0 });
			expect(await engine.getCode(out.printed[0])).toMatchObject({ state: 'voided' });
			expect(await engine.stats({ campaignId: 'spring' })).toMatchObject({
				issued: 1,
				generated: 1000,
				delivered: 1,
				redeemed: 2,
				rolledBack: 1,
				reserved: 1,
				voided: 1,
			});
			expect((await engine.getCampaign('spring'))?.limits.total).toBe(20000);
			expect(await engine.audit('spring')).toMatchObject({ consistent: true });
		} finally {
			await engine.close();
		}
	});
});
