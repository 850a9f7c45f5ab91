import type { AllEntities } from 'n8n-workflow';

type NodeMap = {
	code: 'issue' | 'validate' | 'redeem' | 'reserve' | 'commit' | 'release' | 'rollback' | 'void' | 'get' | 'bulkGenerate';
	campaign: 'create' | 'update' | 'get' | 'getMany';
	customer: 'upsert';
	analytics: 'stats' | 'events';
};

export type CouponType = AllEntities<NodeMap>;
