// Finds or installs redis-server, starts a private one on a free loopback port, stops it afterwards.
'use strict';
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

function which(cmd) {
	const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
	return r.status === 0 ? r.stdout.trim() : null;
}

function ensureRedisServer() {
	let bin = which('redis-server');
	if (bin) return bin;
	const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	if (isRoot && which('apt-get')) {
		process.stderr.write('redis-server not found: installing the Debian package redis-server…\n');
		execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server'], {
			stdio: 'inherit',
		});
		bin = which('redis-server');
		if (bin) return bin;
	}
	throw new Error(
		'The Redis tests need redis-server. Install it with: sudo apt-get install -y redis-server ' +
			'(or set REDIS_URL to a Redis you own; its keys under the test prefixes are deleted).',
	);
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

function waitForPort(port, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	return new Promise((resolve, reject) => {
		const attempt = () => {
			const sock = net.connect(port, '127.0.0.1');
			sock.once('connect', () => {
				sock.end();
				resolve();
			});
			sock.once('error', () => {
				sock.destroy();
				if (Date.now() > deadline) reject(new Error(`redis-server did not listen on ${port}`));
				else setTimeout(attempt, 50);
			});
		};
		attempt();
	});
}

/** Starts redis-server; returns { url, port, dir, stop() }. Extra args go to redis-server. */
async function startRedis(extraArgs = []) {
	const bin = ensureRedisServer();
	const port = await freePort();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-redis-'));
	const child = spawn(
		bin,
		['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...extraArgs],
		{ stdio: 'ignore', detached: false },
	);
	await waitForPort(port, 10000);
	return {
		url: `redis://127.0.0.1:${port}`,
		port,
		dir,
		pid: child.pid,
		stop() {
			return new Promise((resolve) => {
				if (child.exitCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.kill('SIGTERM');
			});
		},
	};
}

module.exports = { startRedis, ensureRedisServer, freePort, waitForPort };
