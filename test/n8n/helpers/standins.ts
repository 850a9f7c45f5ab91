// Stand-ins for the n8n-nodes-base nodes our example workflows start with (nodes-base is not a dependency).
// Only their interface to the rest of the workflow matters here: the Webhook node's output item is
// { headers, params, query, body }, exactly as n8n's Webhook node emits it.
import type { INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

export class WebhookStandIn implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Webhook',
		name: 'webhook',
		group: ['trigger'],
		version: [1, 1.1, 2],
		description: 'Stand-in for n8n-nodes-base.webhook',
		defaults: { name: 'Webhook' },
		inputs: [],
		outputs: ['main'],
		webhooks: [{ name: 'default', httpMethod: '={{$parameter["httpMethod"]}}', responseMode: '={{$parameter["responseMode"]}}', path: '={{$parameter["path"]}}' }],
		properties: [
			{ displayName: 'HTTP Method', name: 'httpMethod', type: 'string', default: 'GET' },
			{ displayName: 'Path', name: 'path', type: 'string', default: '' },
			{ displayName: 'Respond', name: 'responseMode', type: 'string', default: 'onReceived' },
			{ displayName: 'Options', name: 'options', type: 'collection', default: {}, options: [] },
		],
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return {
			workflowData: [
				[{ json: { headers: this.getHeaderData(), params: this.getParamsData(), query: this.getQueryData(), body: this.getBodyData() } }],
			],
		};
	}
}
