import type { IExecuteFunctions, INodeType, INodeTypeBaseDescription, INodeTypeDescription } from 'n8n-workflow';

import { STORE_CREDENTIAL_TEST, testStoreCredential } from '../../shared/store';
import * as analytics from './actions/analytics/Analytics.resource';
import * as campaign from './actions/campaign/Campaign.resource';
import * as code from './actions/code/Code.resource';
import * as customer from './actions/customer/Customer.resource';
import { router } from './actions/router';

export class CouponV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			displayName: 'Coupon',
			name: 'coupon',
			icon: 'file:coupon.svg',
			group: ['transform'],
			version: 1,
			subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
			description: 'Issue, validate and redeem unique coupon codes; manage campaigns, customers and coupon analytics',
			defaults: {
				name: 'Coupon',
			},
			inputs: ['main'],
			outputs: ['main'],
			usableAsTool: true,
			credentials: [
				{
					name: 'couponKitStoreApi',
					required: true,
					testedBy: 'couponKitStoreConnectionTest',
				},
			],
			properties: [
				{
					displayName: 'Resource',
					name: 'resource',
					type: 'options',
					noDataExpression: true,
					options: [
						{ name: 'Analytic', value: 'analytics' },
						{ name: 'Campaign', value: 'campaign' },
						{ name: 'Code', value: 'code' },
						{ name: 'Customer', value: 'customer' },
					],
					default: 'code',
				},
				...code.description,
				...campaign.description,
				...customer.description,
				...analytics.description,
			],
		};
	}

	methods = {
		credentialTest: { [STORE_CREDENTIAL_TEST]: testStoreCredential },
	};

	async execute(this: IExecuteFunctions) {
		return await router.call(this);
	}
}
