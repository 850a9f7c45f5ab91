// `npm run bench`: runs every test/bench/*.bench.js in its own process (so memory figures are its own)
// and prints one table of ratios, each against a baseline measured in the same run.
'use strict';
const { execFileSync } = require('node:child_process');
const { readdirSync } = require('node:fs');
const { join } = require('node:path');

const only = process.argv.slice(2);
const files = readdirSync(__dirname)
	.filter((f) => f.endsWith('.bench.js'))
	.filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
	.sort();

const rows = [];
let failed = false;
for (const file of files) {
	process.stderr.write(`running ${file}…\n`);
	const script = `require(${JSON.stringify(join(__dirname, file))})().then((r) => process.stdout.write(JSON.stringify(r)), (e) => { console.error(e); process.exit(1); })`;
	try {
		const out = execFileSync(process.execPath, ['--expose-gc', '-e', script], {
			encoding: 'utf8',
			maxBuffer: 16 * 1024 * 1024,
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		for (const row of JSON.parse(out)) rows.push({ bench: file.replace('.bench.js', ''), ...row });
	} catch (err) {
		failed = true;
		rows.push({ bench: file.replace('.bench.js', ''), name: 'FAILED', value: '', unit: '', target: String(err.message).split('\n')[0] });
	}
}

const fmt = (v) => (typeof v === 'number' ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3)) : (v ?? ''));
const table = rows.map((r) => ({
	bench: r.bench,
	measure: r.name,
	value: `${fmt(r.value)} ${r.unit ?? ''}`.trim(),
	baseline: r.baseline === undefined ? '' : `${fmt(r.baseline)} ${r.unit ?? ''}`.trim(),
	ratio: r.ratio === undefined ? '' : fmt(r.ratio),
	target: r.target ?? '',
	met: r.met === undefined ? '' : r.met ? 'yes' : 'NO',
}));
console.table(table);
if (failed) process.exitCode = 1;
