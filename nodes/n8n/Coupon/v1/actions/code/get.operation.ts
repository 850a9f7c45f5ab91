import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { CouponEngine } from '../../../../../../core/api';
import { runCouponOperation } from '../../../../../../core/hosts/operations';
import type { ItemParameters } from '../../helpers/parameters';
import { toItems } from '../../helpers/parameters';
import { codeField } from '../fields';

const properties: INodeProperties[] = [codeField];

const displayOptions = { show: { resource: ['code'], operation: ['get'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	engine: CouponEngine,
	params: ItemParameters,
): Promise<INodeExecutionData[]> {
	return toItems(await runCouponOperation(engine, 'code', 'get', params.args(itemIndex, ['code'])));
}
