// What the coupon store and the trigger store, each with connections of its own, set up alike.
import { InvalidArgumentError } from '../../errors';

/**
 * After a failed connection, ioredis waits this long for the socket to close before destroying it; its 2 s
 * default kept a process that could not reach Redis alive 2 s after it gave up.
 */
export const DISCONNECT_TIMEOUT_MS = 200;

/** One `store.cluster` entry, `host:port` or `[ipv6]:port`, as ioredis takes a start node. */
export function clusterNode(entry: string): { host: string; port: number } {
	const match = /^(\[[0-9a-fA-F:]+\]|[^\s:/]+):(\d{1,5})$/.exec(entry.trim());
	if (!match) throw new InvalidArgumentError('store.cluster', `each node must be host:port (got "${entry}")`);
	return { host: match[1].replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}
