import type { ICredentialDataDecryptedObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { PlatformRequest } from '../../../../core/platforms/types';

export interface BuiltRequest {
	request: PlatformRequest;
	/** Shown in the output so a receiver's log can be matched. */
	deliveryId?: string;
	/** The code this request delivers, for the ledger's `delivered` event. */
	code?: string | null;
	recipient?: string | null;
}

/** One platform of the Coupon Platform node: its credential, actions, parameters and request builder. */
export interface N8nPlatform {
	option: INodePropertyOptions;
	credential: string;
	/** The Action parameter shown for this platform. */
	actions: INodePropertyOptions[];
	properties: INodeProperties[];
	build(
		this: IExecuteFunctions,
		action: string,
		itemIndex: number,
		credentials: ICredentialDataDecryptedObject,
	): Promise<BuiltRequest>;
	/** Credential values that must never appear in output or errors. */
	secretsOf(credentials: ICredentialDataDecryptedObject): string[];
}
