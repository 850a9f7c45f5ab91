// The whole engine contract on a 3-master Redis Cluster: every script's keys must hash to one slot.
import { randomBytes } from 'node:crypto';
import { openEngine } from '../../core';
import { engineContract } from '../contract/engineContract';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startCluster } = require('../setup/redis') as {
	startCluster(masters: number): Promise<{ nodes: string[]; stop(): Promise<void> }>;
};

let cluster: { nodes: string[]; stop(): Promise<void> };
let prefix = '';

beforeAll(async () => {
	cluster = await startCluster(3);
}, 60_000);

afterAll(async () => {
	await cluster?.stop();
});

engineContract('a 3-master Redis Cluster', {
	async open(options, fresh) {
		if (fresh) prefix = `ck-cl-${randomBytes(6).toString('hex')}:`;
		return openEngine({ ...options, store: { type: 'redis', cluster: cluster.nodes, keyPrefix: prefix } });
	},
});
