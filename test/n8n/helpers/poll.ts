// Runs a polling trigger the way n8n's poller does: a PollContext in trigger mode, then `poll()`.
import { PollContext } from 'n8n-core';
import type { ICredentialDataDecryptedObject, INode, INodeExecutionData, Workflow } from 'n8n-workflow';

import { additionalDataFor } from './harness';

export async function pollTrigger(
	workflow: Workflow,
	node: INode,
	credentials: Record<string, ICredentialDataDecryptedObject>,
): Promise<INodeExecutionData[][] | null> {
	const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	if (!nodeType.poll) throw new Error(`${node.type} does not poll`);
	const context = new PollContext(workflow, node, additionalDataFor(credentials), 'trigger', 'activate');
	return await nodeType.poll.call(context);
}
