// Reads a request body as the exact bytes sent, so a signature can be checked over them.
import type { IncomingMessage } from 'node:http';

/** Default largest body accepted by a coupon webhook node. */
export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {
	constructor(limit: number) {
		super(`the body is larger than ${limit} bytes`);
		this.name = 'BodyTooLargeError';
	}
}

export function readRawBody(req: IncomingMessage & { body?: unknown }, limit = MAX_BODY_BYTES): Promise<Buffer> {
	// Middleware set in settings.js (httpNodeMiddleware) may have read the stream already.
	if (Buffer.isBuffer(req.body)) return Promise.resolve(req.body);
	if (typeof req.body === 'string') return Promise.resolve(Buffer.from(req.body, 'utf8'));
	const declared = Number(req.headers['content-length']);
	if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError(limit));
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let failed = false;
		req.on('data', (chunk: Buffer) => {
			if (failed) return;
			size += chunk.length;
			if (size > limit) {
				failed = true;
				reject(new BodyTooLargeError(limit));
				req.resume();
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => {
			if (!failed) resolve(Buffer.concat(chunks));
		});
		req.on('error', (err) => {
			if (!failed) reject(err);
		});
	});
}
