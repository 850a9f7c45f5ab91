// Reads a request body as the exact bytes sent, so a signature can be checked over them.
import type { IncomingMessage } from 'node:http';

import { MAX_WEBHOOK_BODY_BYTES } from '../../../core/hosts/webhookRequest';

/** The bytes of the body, or null as soon as they pass `limit` (the rest is drained, not kept). */
export function readRawBody(req: IncomingMessage & { body?: unknown }, limit = MAX_WEBHOOK_BODY_BYTES): Promise<Buffer | null> {
	// Middleware set in settings.js (httpNodeMiddleware) may have read the stream already.
	const early = Buffer.isBuffer(req.body) ? req.body : typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : null;
	if (early) return Promise.resolve(early.length > limit ? null : early);
	if (req.readableEnded) {
		// Parsed by such middleware into an object: the bytes are gone, the nearest is its JSON.
		const text = req.body === undefined ? '' : JSON.stringify(req.body);
		return Promise.resolve(Buffer.byteLength(text) > limit ? null : Buffer.from(text, 'utf8'));
	}
	const declared = Number(req.headers['content-length']);
	if (Number.isFinite(declared) && declared > limit) return Promise.resolve(null);
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let over = false;
		req.on('data', (chunk: Buffer) => {
			if (over) return;
			size += chunk.length;
			if (size > limit) {
				over = true;
				chunks.length = 0;
				resolve(null);
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => {
			if (!over) resolve(Buffer.concat(chunks));
		});
		req.on('error', (err) => {
			if (!over) reject(err);
		});
	});
}
