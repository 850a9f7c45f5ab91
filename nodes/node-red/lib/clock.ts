// Time for trigger nodes. `couponKit.clock` in settings.js (a function returning epoch ms) lets a
// rehearsal or a test move time; without it the system clock is used.
import type { NodeAPI } from 'node-red';

export function clockOf(RED: NodeAPI): () => number {
	const settings = RED.settings as unknown as { couponKit?: { clock?: unknown } };
	const clock = settings.couponKit?.clock;
	return typeof clock === 'function' ? (clock as () => number) : Date.now;
}

/** `2026-12-24 09:00 UTC`: short enough for a node status. */
export function shortTime(ms: number): string {
	return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
