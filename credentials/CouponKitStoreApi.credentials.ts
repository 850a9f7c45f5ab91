import type { ICredentialType, INodeProperties } from 'n8n-workflow';

// Field names follow core/hosts/storeSettings.ts (`prefix` is its `keyPrefix`).
export class CouponKitStoreApi implements ICredentialType {
	name = 'couponKitStoreApi';

	displayName = 'Coupon Kit Store API';

	documentationUrl = 'https://github.com/coupon-kit/n8n-nodes-coupon-kit/blob/main/docs/n8n.md#the-coupon-kit-store-credential';

	icon = 'file:couponKit.svg' as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Store',
			name: 'mode',
			type: 'options',
			options: [
				{
					name: 'Embedded (SQLite File)',
					value: 'embedded',
					description: 'A database file on this machine. Nothing to set up; right for a single n8n instance.',
				},
				{
					name: 'Redis',
					value: 'redis',
					description: 'Choose this when n8n runs in queue mode or as several instances that share coupons',
				},
			],
			default: 'embedded',
		},
		{
			displayName:
				'The embedded store is one file on this machine. When n8n runs in queue mode or as several instances, choose Redis so every worker sees the same codes.',
			name: 'embeddedNotice',
			type: 'notice',
			default: '',
			displayOptions: { show: { mode: ['embedded'] } },
		},
		{
			displayName: 'Database File',
			name: 'path',
			type: 'string',
			default: '',
			placeholder: '~/.n8n/coupon-kit.db',
			description:
				'Path of the SQLite file. Leave empty for coupon-kit.db in the n8n user folder (~/.n8n, or $N8N_USER_FOLDER/.n8n). A relative path is read from that folder.',
			displayOptions: { show: { mode: ['embedded'] } },
		},
		{
			displayName: 'Durability',
			name: 'synchronous',
			type: 'options',
			options: [
				{
					name: 'Survive a Crash of n8n (Faster)',
					value: 'NORMAL',
				},
				{
					name: 'Also Survive a Power Loss (Slower)',
					value: 'FULL',
				},
			],
			default: 'NORMAL',
			displayOptions: { show: { mode: ['embedded'] } },
		},
		{
			displayName: 'Connect With',
			name: 'connection',
			type: 'options',
			options: [
				{ name: 'URL', value: 'url' },
				{ name: 'Host and Port', value: 'hostPort' },
				{ name: 'Redis Cluster Nodes', value: 'cluster' },
			],
			default: 'url',
			displayOptions: { show: { mode: ['redis'] } },
		},
		{
			displayName: 'Redis URL',
			name: 'url',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'e.g. redis://:password@redis.internal:6379/0',
			description: 'Redis://… or rediss://… (TLS). May carry the user name, password and database number.',
			displayOptions: { show: { mode: ['redis'], connection: ['url'] } },
		},
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: 'localhost',
			displayOptions: { show: { mode: ['redis'], connection: ['hostPort'] } },
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 6379,
			displayOptions: { show: { mode: ['redis'], connection: ['hostPort'] } },
		},
		{
			displayName: 'Cluster Nodes',
			name: 'cluster',
			type: 'string',
			default: '',
			placeholder: 'redis-1:6379, redis-2:6379, redis-3:6379',
			description: 'Some of the cluster’s nodes as host:port, separated by commas; the rest are discovered',
			displayOptions: { show: { mode: ['redis'], connection: ['cluster'] } },
		},
		{
			displayName: 'User Name',
			name: 'username',
			type: 'string',
			default: '',
			description: 'Only for Redis ACL users; leave empty for the default user',
			displayOptions: { show: { mode: ['redis'], connection: ['hostPort', 'cluster'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { mode: ['redis'], connection: ['hostPort', 'cluster'] } },
		},
		{
			displayName: 'Use TLS',
			name: 'tls',
			type: 'boolean',
			default: false,
			displayOptions: { show: { mode: ['redis'], connection: ['hostPort', 'cluster'] } },
		},
		{
			displayName: 'Database Number',
			name: 'db',
			type: 'number',
			default: 0,
			displayOptions: { show: { mode: ['redis'], connection: ['hostPort'] } },
		},
		{
			displayName: 'Key Prefix',
			name: 'prefix',
			type: 'string',
			default: 'ck:',
			description: 'Every key Coupon Kit writes starts with this, so one Redis can serve several shops',
			displayOptions: { show: { mode: ['redis'] } },
		},
	];
}
