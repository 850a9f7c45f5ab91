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

/** Starts redis-server (on `at.port` / in `at.dir` to restart one); returns { url, port, dir, stop() }. */
async function startRedis(extraArgs = [], at = {}) {
	const bin = ensureRedisServer();
	const port = at.port ?? (await freePort());
	const dir = at.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ck-redis-'));
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

/** Starts `masters` cluster-enabled redis-servers and joins them into one cluster; returns { nodes, stop() }. */
async function startCluster(masters = 3) {
	const servers = [];
	for (let i = 0; i < masters; i++) {
		servers.push(
			await startRedis(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000']),
		);
	}
	const nodes = servers.map((s) => `127.0.0.1:${s.port}`);
	const cli = which('redis-cli');
	if (!cli) throw new Error('redis-cli is missing: it comes with the Debian package redis-tools (apt-get install -y redis-tools)');
	execFileSync(cli, ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], { stdio: 'ignore' });
	const deadline = Date.now() + 20000;
	for (;;) {
		const states = servers.map((s) =>
			spawnSync(cli, ['-p', String(s.port), 'cluster', 'info'], { encoding: 'utf8' }).stdout.includes('cluster_state:ok'),
		);
		if (states.every(Boolean)) break;
		if (Date.now() > deadline) throw new Error('the Redis cluster did not reach cluster_state:ok');
		await new Promise((r) => setTimeout(r, 100));
	}
	return {
		nodes,
		async stop() {
			await Promise.all(servers.map((s) => s.stop()));
		},
	};
}

module.exports.startCluster = startCluster;
