// The platforms of the Coupon Platform node. A new platform is one module here and one line below.
import type { N8nPlatform } from './types';
import { webhook } from './webhook';

export const PLATFORMS: Record<string, N8nPlatform> = {
	[webhook.option.value as string]: webhook,
};

export type { N8nPlatform } from './types';
