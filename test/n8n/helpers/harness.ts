// Runs real n8n executions: n8n-core's WorkflowExecute over workflow JSON with our node classes.
import './env';

import { readFileSync } from 'node:fs';

import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	ICredentials,
	IConnections,
	IDataObject,
	IExecuteData,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRequestOptionsSimplified,
	IRun,
	IRunExecutionData,
	IVersionedNodeType,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { ICredentialsHelper, NodeHelpers, Workflow, createRunExecutionData } from 'n8n-workflow';

export const PACKAGE = 'n8n-nodes-coupon-kit';

/** A node-types registry over classes we hand it, keyed by full type name (`<package>.<name>`). */
export class TestNodeTypes implements INodeTypes {
	private readonly types = new Map<string, INodeType | IVersionedNodeType>();

	add(fullName: string, type: INodeType | IVersionedNodeType): this {
		this.types.set(fullName, type);
		return this;
	}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types.get(nodeType);
		if (!type) throw new Error(`Unknown node type ${nodeType}`);
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

/** Returns test credentials by type and applies generic `authenticate` blocks the way the n8n app does. */
export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly credentials: Record<string, ICredentialDataDecryptedObject>,
		private readonly credentialTypes: Record<string, ICredentialType> = {},
	) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const options = requestOptions as IHttpRequestOptions;
		const auth = this.credentialTypes[typeName]?.authenticate;
		if (!auth) return options;
		if (typeof auth === 'function') return await auth(credentials, options);
		const resolve = (value: string): string => {
			if (!workflow || !node || !value.startsWith('=')) return value;
			return String(
				workflow.expression.getComplexParameterValue(node, value, 'internal', {}, undefined, undefined, {
					$credentials: credentials,
				}),
			);
		};
		for (const [key, value] of Object.entries(auth.properties.headers ?? {})) {
			options.headers = { ...(options.headers ?? {}), [key]: resolve(String(value)) };
		}
		for (const [key, value] of Object.entries(auth.properties.qs ?? {})) {
			options.qs = { ...(options.qs ?? {}), [key]: resolve(String(value)) };
		}
		return options;
	}

	async preAuthentication(
		_helpers: IHttpRequestHelper,
		_credentials: ICredentialDataDecryptedObject,
		_typeName: string,
		_node: INode,
		_expired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(_details: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		throw new Error(`getCredentials(${type}) is not used in tests`);
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_details: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.credentials[type];
		if (!data) throw new Error(`No test credentials of type ${type}`);
		return { ...data };
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(): INodeProperties[] {
		return [];
	}
}

const BASE = 'http://localhost:5678';

export function additionalDataFor(
	credentials: Record<string, ICredentialDataDecryptedObject>,
	credentialTypes: Record<string, ICredentialType> = {},
	hooks?: ExecutionLifecycleHooks,
): IWorkflowExecuteAdditionalData {
	const data: Partial<IWorkflowExecuteAdditionalData> = {
		credentialsHelper: new TestCredentialsHelper(credentials, credentialTypes),
		hooks,
		currentNodeExecutionIndex: 0,
		variables: {},
		logAiEvent: () => {},
		executeWorkflow: async () => {
			throw new Error('Sub-workflows are not used in these tests');
		},
		getRunExecutionData: async () => undefined,
		restApiUrl: `${BASE}/rest`,
		instanceBaseUrl: `${BASE}/`,
		formBaseUrl: `${BASE}/form`,
		formTestBaseUrl: `${BASE}/form-test`,
		formWaitingBaseUrl: `${BASE}/form-waiting`,
		webhookBaseUrl: `${BASE}/webhook`,
		webhookTestBaseUrl: `${BASE}/webhook-test`,
		webhookWaitingBaseUrl: `${BASE}/webhook-waiting`,
		mcpBaseUrl: `${BASE}/mcp`,
		mcpTestBaseUrl: `${BASE}/mcp-test`,
	};
	return data as IWorkflowExecuteAdditionalData;
}

export interface WorkflowJson {
	name?: string;
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
	staticData?: IDataObject;
}

export function readWorkflow(file: string): WorkflowJson {
	return JSON.parse(readFileSync(file, 'utf8')) as WorkflowJson;
}

export function makeWorkflow(json: WorkflowJson, nodeTypes: INodeTypes): Workflow {
	return new Workflow({
		id: 'test-workflow',
		name: json.name ?? 'test',
		nodes: json.nodes,
		connections: json.connections,
		nodeTypes,
		active: false,
		staticData: json.staticData,
		settings: { executionOrder: 'v1', ...(json.settings ?? {}) },
	});
}

export interface RunOptions {
	nodeTypes: INodeTypes;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	credentialTypes?: Record<string, ICredentialType>;
	/** Node to start at; defaults to n8n's own choice of start node. */
	startNode?: string;
	/** Items the start node receives (for a webhook start node: what its webhook() returned). */
	input?: INodeExecutionData[];
	mode?: WorkflowExecuteMode;
	/** Reuse a Workflow (and so its static data) across runs. */
	workflow?: Workflow;
}

export interface RunResult {
	run: IRun;
	workflow: Workflow;
	/** Items of a node's first output (or the given output) in its last run. */
	output(nodeName: string, outputIndex?: number): INodeExecutionData[];
	json(nodeName: string, outputIndex?: number): IDataObject[];
	/** The error a node ended with, if any. */
	nodeError(nodeName: string): Error | undefined;
	executed: string[];
}

export async function runWorkflow(json: WorkflowJson, options: RunOptions): Promise<RunResult> {
	const workflow = options.workflow ?? makeWorkflow(json, options.nodeTypes);
	const mode = options.mode ?? 'manual';
	const hooks = new ExecutionLifecycleHooks(mode, `exec-${Date.now()}`, {
		id: workflow.id,
		name: workflow.name ?? 'test',
		active: false,
		isArchived: false,
		nodes: json.nodes,
		connections: json.connections,
		settings: workflow.settings,
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	});
	const executed: string[] = [];
	hooks.addHandler('nodeExecuteAfter', (nodeName: string) => {
		executed.push(nodeName);
	});
	const additionalData = additionalDataFor(options.credentials ?? {}, options.credentialTypes ?? {}, hooks);

	const start = options.startNode
		? workflow.getNode(options.startNode)
		: (workflow.getStartNode() ?? json.nodes.find((n) => workflow.getParentNodes(n.name).length === 0));
	if (!start) throw new Error('The workflow has no start node');
	const stack: IExecuteData[] = [{ node: start, data: { main: [options.input ?? [{ json: {} }]] }, source: null }];
	const runExecutionData: IRunExecutionData = createRunExecutionData({
		executionData: { nodeExecutionStack: stack },
	});

	const run = await new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(workflow);
	const runData = run.data.resultData.runData;
	const output = (nodeName: string, outputIndex = 0): INodeExecutionData[] => {
		const runs = runData[nodeName];
		if (!runs?.length) {
			const failure = run.data.resultData.error;
			throw new Error(`Node "${nodeName}" did not run${failure ? `: ${failure.message}` : ''}`);
		}
		return runs[runs.length - 1].data?.main?.[outputIndex] ?? [];
	};
	return {
		run,
		workflow,
		executed,
		output,
		json: (nodeName, outputIndex) => output(nodeName, outputIndex).map((item) => item.json),
		nodeError: (nodeName) => {
			const runs = runData[nodeName];
			return runs?.[runs.length - 1]?.error ?? undefined;
		},
	};
}
