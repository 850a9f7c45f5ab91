// `npm start`: a local Node-RED at http://127.0.0.1:1880 with Coupon Kit installed from the packed
// build, the embedded SQLite store and the Quick tour flow. Data stays in .node-red/ between runs;
// `npm start -- --fresh` starts over. PORT=1881 npm start picks another port.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, installInto, packProject, startNodeRed, tempDir, writeSettings } = require('./node-red-userdir');

async function main() {
	const fresh = process.argv.includes('--fresh');
	const port = Number(process.env.PORT) || 1880;
	const userDir = path.join(ROOT, '.node-red');
	if (fresh) fs.rmSync(userDir, { recursive: true, force: true });
	fs.mkdirSync(userDir, { recursive: true });
	// Keeps the whole folder out of git without touching the project's .gitignore.
	fs.writeFileSync(path.join(userDir, '.gitignore'), '*\n');

	console.log('Coupon Kit: packing the build and installing it into .node-red/ …');
	const tarball = packProject(tempDir('ck-pack-'));
	installInto(userDir, tarball);
	writeSettings(userDir);
	const flows = path.join(userDir, 'flows.json');
	if (!fs.existsSync(flows)) fs.copyFileSync(path.join(ROOT, 'flows', 'node-red', 'quick-tour.json'), flows);

	const red = await startNodeRed({ userDir, port, log: (line) => console.log(line) });
	console.log(`\nCoupon Kit Quick tour: open ${red.url} and click the inject buttons; results show in the Debug sidebar.`);
	console.log('Stop with Ctrl+C.\n');
	const stop = () => void red.stop().then(() => process.exit(0));
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
	red.child.once('exit', (code) => process.exit(code ?? 0));
}

main().catch((err) => {
	console.error(err instanceof Error ? err.message : err);
	process.exit(1);
});
