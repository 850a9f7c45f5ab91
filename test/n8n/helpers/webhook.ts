// Delivers an HTTP request to a webhook node through n8n-core's WebhookContext, the way n8n's webhook
// server does: request and response objects on additionalData, then `webhook()` of the node type.
import type { Request, Response } from 'express';
import { WebhookContext } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	IWebhookData,
	IWebhookResponseData,
	Workflow,
} from 'n8n-workflow';

import { additionalDataFor } from './harness';

export interface HttpAnswer {
	status: number;
	body: unknown;
}

/** The part of express' Response a webhook node touches, recording what it answered. */
function recordingResponse(answer: HttpAnswer): Response {
	const res = {
		status(code: number) {
			answer.status = code;
			return res;
		},
		json(body: unknown) {
			answer.body = body;
			return res;
		},
		send(body: unknown) {
			answer.body = body;
			return res;
		},
		end() {
			return res;
		},
		setHeader() {
			return res;
		},
	};
	return res as unknown as Response;
}

export interface Delivery {
	/** What the node returned to n8n. */
	result: IWebhookResponseData;
	/** Set when the node answered itself (401, 400 …). */
	answer: HttpAnswer | null;
}

export async function deliver(
	workflow: Workflow,
	node: INode,
	credentials: Record<string, ICredentialDataDecryptedObject>,
	request: { body?: IDataObject; rawBody?: string | Buffer; headers?: Record<string, string> },
): Promise<Delivery> {
	const additionalData = additionalDataFor(credentials);
	const answer: HttpAnswer = { status: 0, body: undefined };
	// As n8n hands it over: the bytes as received, and `body` only when n8n could parse them.
	const rawBody = request.rawBody ?? JSON.stringify(request.body);
	additionalData.httpRequest = {
		body: request.body,
		rawBody: Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody),
		headers: Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
		query: {},
		params: {},
		method: 'POST',
	} as unknown as Request;
	additionalData.httpResponse = recordingResponse(answer);
	const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	const description = nodeType.description.webhooks?.[0];
	if (!nodeType.webhook || !description) throw new Error(`${node.type} has no webhook`);
	const webhookData: IWebhookData = {
		httpMethod: 'POST',
		node: node.name,
		path: String(description.path),
		webhookDescription: description,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
		webhookId: node.webhookId,
	};
	const context = new WebhookContext(workflow, node, additionalData, 'webhook', webhookData, [], null);
	const result = await nodeType.webhook.call(context);
	return { result, answer: answer.status === 0 ? null : answer };
}
