import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { CouponV1 } from './v1/CouponV1.node';

export class Coupon extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Coupon',
			name: 'coupon',
			icon: 'file:coupon.svg',
			group: ['transform'],
			subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
			description: 'Issue, validate and redeem unique coupon codes; manage campaigns, customers and coupon analytics',
			defaultVersion: 1,
		};

		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new CouponV1(baseDescription),
		};

		super(nodeVersions, baseDescription);
	}
}
