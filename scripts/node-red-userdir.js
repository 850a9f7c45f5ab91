// Puts the packed Coupon Kit into a Node-RED user directory and runs Node-RED on it, headless.
// Used by `npm start`, the packaged-install test and the browser test.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

/** npm's CLI script, run with this process's Node (24) so `engines` and native builds see the right version. */
function npmCli() {
	const fromNpm = process.env.npm_execpath;
	if (fromNpm && /npm-cli\.js$/.test(fromNpm)) return fromNpm;
	try {
		return require.resolve('npm/bin/npm-cli.js', { paths: [ROOT] });
	} catch {
		return null;
	}
}

function npm(args, cwd) {
	const cli = npmCli();
	const [cmd, argv] = cli ? [process.execPath, [cli, ...args]] : ['npm', args];
	const PATH = `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`;
	return execFileSync(cmd, argv, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH, npm_config_yes: 'true' } });
}

/** `npm pack` of the built project into `destDir`; returns the tarball path. */
function packProject(destDir) {
	if (!fs.existsSync(path.join(ROOT, 'dist', 'nodes', 'node-red'))) {
		throw new Error('dist/ has no Node-RED nodes: run `npm run build` first');
	}
	fs.mkdirSync(destDir, { recursive: true });
	const out = npm(['pack', '--json', '--pack-destination', destDir], ROOT);
	const [info] = JSON.parse(out);
	return path.join(destDir, info.filename);
}

// The arguments Node-RED's Palette Manager gives npm (@node-red/registry/lib/installer.js).
const PALETTE_MANAGER_ARGS = ['--no-audit', '--no-update-notifier', '--no-fund', '--save', '--save-prefix=~', '--omit=dev', '--engine-strict'];

/**
 * Installs the tarball into the user directory as the Palette Manager does. With `skipPeers` npm does
 * not install peer dependencies (n8n-workflow is of no use to Node-RED).
 */
function installInto(userDir, tarball, { skipPeers = true } = {}) {
	fs.mkdirSync(userDir, { recursive: true });
	const pkg = path.join(userDir, 'package.json');
	if (!fs.existsSync(pkg)) {
		fs.writeFileSync(pkg, `${JSON.stringify({ name: 'node-red-project', description: 'Coupon Kit on Node-RED', version: '0.0.1', private: true }, null, 2)}\n`);
	}
	npm(['install', ...PALETTE_MANAGER_ARGS, '--prefer-offline', ...(skipPeers ? ['--legacy-peer-deps'] : []), tarball], userDir);
}

function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

/** A settings file that keeps Node-RED on the loopback interface and opens straight on the flow. */
function writeSettings(userDir, extra = {}) {
	const settings = {
		uiHost: '127.0.0.1',
		flowFile: 'flows.json',
		flowFilePretty: true,
		logging: { console: { level: 'info', metrics: false, audit: false } },
		editorTheme: { tours: false },
		...extra,
	};
	fs.writeFileSync(path.join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings, null, '\t')};\n`);
}

/**
 * Starts Node-RED on the user directory; resolves once the flows are started, with `url` and `stop()`.
 * Output goes to `log` (a function per line) and is kept in `output` for error messages.
 */
function startNodeRed({ userDir, port, log = () => undefined, timeoutMs = 60000, redJs }) {
	// COUPON_KIT_NODE_RED_JS=/path/to/node-red/red.js runs another Node-RED (e.g. 4.x) than the devDependency.
	const red = redJs || process.env.COUPON_KIT_NODE_RED_JS || require.resolve('node-red/red.js', { paths: [ROOT] });
	const child = spawn(process.execPath, [red, '-u', userDir, '-p', String(port), '--no-telemetry'], {
		cwd: userDir,
		env: { ...process.env, NODE_OPTIONS: '' },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const output = [];
	const url = `http://127.0.0.1:${port}`;
	const stop = () =>
		new Promise((resolve) => {
			if (child.exitCode !== null || child.signalCode !== null) return resolve();
			child.once('exit', () => resolve());
			child.kill('SIGTERM');
		});
	const ready = new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			reject(new Error(`Node-RED did not start within ${timeoutMs} ms:\n${output.join('\n')}`));
			void stop();
		}, timeoutMs);
		const onLine = (line) => {
			output.push(line);
			log(line);
			if (/Started flows/.test(line)) {
				clearTimeout(timer);
				resolve({ url, stop, child, output });
			}
		};
		for (const stream of [child.stdout, child.stderr]) {
			let rest = '';
			stream.setEncoding('utf8');
			stream.on('data', (chunk) => {
				const lines = (rest + chunk).split('\n');
				rest = lines.pop();
				lines.forEach(onLine);
			});
		}
		child.once('exit', (code, signal) => {
			clearTimeout(timer);
			reject(new Error(`Node-RED exited (${code ?? signal}) before starting:\n${output.join('\n')}`));
		});
	});
	return ready;
}

function tempDir(prefix) {
	return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

module.exports = { ROOT, packProject, installInto, freePort, writeSettings, startNodeRed, tempDir };
