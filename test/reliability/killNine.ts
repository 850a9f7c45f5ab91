// kill -9 a worker in the middle of a bulk generate and of a redeem burst; then check nothing promised is lost.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoreOptions } from '../../core';
import { openEngine } from '../../core';

const WORKER = join(__dirname, 'fixtures', 'burstWorker.js');

/** Starts the worker and SIGKILLs it once `killAfter` acknowledgement lines arrived; returns those lines. */
function runAndKill(job: Record<string, unknown>, killAfter: number): Promise<{ acks: string[]; finished: boolean }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [WORKER, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
		const acks: string[] = [];
		let buffer = '';
		let finished = false;
		let stderr = '';
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		child.stdout.on('data', (d: Buffer) => {
			buffer += d.toString();
			let nl: number;
			while ((nl = buffer.indexOf('\n')) >= 0) {
				const line = buffer.slice(0, nl);
				buffer = buffer.slice(nl + 1);
				if (line === 'DONE') finished = true;
				else if (line !== 'READY') acks.push(line);
				if (acks.length === killAfter) child.kill('SIGKILL');
			}
		});
		child.on('exit', (code, signal) => {
			if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`worker failed: ${stderr}`));
			else resolve({ acks, finished });
		});
	});
}

export function killNineSuite(name: string, makeStore: (dir: string) => StoreOptions, dir: () => string): void {
	describe(`kill -9 of a worker on ${name}`, () => {
		it('loses no generated code and can resume the bulk job to the exact count', async () => {
			const store = makeStore(dir());
			const setup = await openEngine({ store });
			await setup.createCampaign({ id: 'bulk', code: { length: 12 }, discount: { type: 'percent', value: 5 } });
			await setup.close();
			const target = 200_000;
			const run = await runAndKill({ store, mode: 'generate', campaignId: 'bulk', count: target, batchSize: 1000 }, 20);
			expect(run.finished).toBe(false);
			const acknowledged = run.acks.reduce((n, line) => n + Number(line.split(' ')[1]), 0);

			const engine = await openEngine({ store });
			try {
				const audit = await engine.audit('bulk');
				expect(audit.problems).toEqual([]);
				expect(audit.codes).toBeGreaterThanOrEqual(acknowledged);
				expect(audit.codes).toBeLessThan(target);
				// Resume: generate exactly what is missing.
				for await (const batch of engine.generate({ campaignId: 'bulk', count: target - audit.codes, batchSize: 5000 })) void batch;
				const after = await engine.audit('bulk');
				expect(after.problems).toEqual([]);
				expect(after.codes).toBe(target);
			} finally {
				await engine.close();
			}
		});

		it('loses no acknowledged redemption, and counters equal the ledger', async () => {
			const store = makeStore(dir());
			const setup = await openEngine({ store });
			await setup.createCampaign({ id: 'burst', code: { length: 12 }, discount: { type: 'percent', value: 5 }, limits: { perCode: 1 } });
			const codes: string[] = [];
			for await (const batch of setup.generate({ campaignId: 'burst', count: 3000 })) codes.push(...batch);
			await setup.close();
			const codesFile = join(dir(), `codes-${Date.now()}.txt`);
			writeFileSync(codesFile, codes.join('\n'));
			const run = await runAndKill({ store, mode: 'redeem', codesFile, inFlight: 20 }, 400);
			expect(run.finished).toBe(false);

			const engine = await openEngine({ store });
			try {
				for (const line of run.acks) {
					const [, code] = line.split(' ');
					const info = await engine.getCode(code);
					expect(info?.redemptions).toBe(1);
				}
				const audit = await engine.audit('burst');
				expect(audit.problems).toEqual([]);
				expect(audit.redeemedCounter).toBeGreaterThanOrEqual(run.acks.length);
				// Nothing was redeemed twice: every stored redemption is one code used once.
				expect(audit.codeRedemptions).toBe(audit.redeemedCounter);
				// The burst can go on after the restart without tripping over the half-done state.
				const rest = codes.filter((c) => !run.acks.some((l) => l.split(' ')[1] === c)).slice(0, 50);
				let again = 0;
				for (const code of rest) {
					const r = await engine.redeem({ code });
					if (r.ok) again++;
					else expect(r.reason).toBe('CODE_LIMIT_REACHED');
				}
				expect((await engine.audit('burst')).redeemedCounter).toBe(audit.redeemedCounter + again);
			} finally {
				await engine.close();
			}
		});
	});
}
