// Types of node-red-userdir.js for the tests that drive a packaged install.
import type { ChildProcess } from 'node:child_process';

export const ROOT: string;
export function packProject(destDir: string): string;
export function installInto(userDir: string, tarball: string, options?: { skipPeers?: boolean }): void;
export function freePort(): Promise<number>;
export function writeSettings(userDir: string, extra?: Record<string, unknown>): void;
export interface RunningNodeRed {
	url: string;
	stop(): Promise<void>;
	child: ChildProcess;
	output: string[];
}
export function startNodeRed(options: { userDir: string; port: number; log?: (line: string) => void; timeoutMs?: number; redJs?: string }): Promise<RunningNodeRed>;
export function tempDir(prefix: string): string;
