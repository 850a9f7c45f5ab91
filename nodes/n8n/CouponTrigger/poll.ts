// What one poll of the Coupon Trigger does: claim due firings (or read the ledger) and turn them into items.
import type { IDataObject, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { InvalidArgumentError } from '../../../core/errors';
import { lifecycleTypeOf } from '../../../core/triggers';
import type { CalendarDefinition, CalendarRule, DueKind, LifecycleEvent, LifecycleType, Triggers } from '../../../core/triggers';
import type { Weekday } from '../../../core/types';
import { toNodeError } from '../shared/errors';
import { getEngine } from '../shared/store';
import { firingToJson, getTriggers, lifecycleToJson, triggerClock } from '../shared/triggers';

export type TriggerEvent = 'cartAbandoned' | 'calendarEvent' | 'customerMilestone' | 'couponLifecycle';

const LABELS: Record<string, string> = {
	rules: 'Occasions',
	time: 'At (Local Time)',
	zone: 'Time Zone',
	daysBefore: 'Days Before',
	scope: 'Trigger Scope',
	types: 'Lifecycle Events',
	limit: 'Max Items per Poll',
	maxItems: 'Max Items per Poll',
	maxLateMinutes: 'Skip Firings Late by More Than (Minutes)',
};

/** The node's own state: its calendar and its lifecycle cursor belong to this workflow and node only. */
function ownName(ctx: IPollFunctions): string {
	return `n8n:${ctx.getWorkflow().id ?? 'workflow'}:${ctx.getNode().id}`;
}

function text(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function scopeOf(ctx: IPollFunctions): string {
	return text(ctx.getNodeParameter('scope', 'default')) ?? 'default';
}

interface RuleCollection {
	date?: Array<{ date?: string; name?: string }>;
	yearly?: Array<{ date?: string; name?: string }>;
	monthly?: Array<{ day?: number; name?: string }>;
	weekly?: Array<{ days?: string[]; name?: string }>;
	range?: Array<{ from?: string; to?: string; name?: string }>;
	holidays?: Array<{ country?: string; state?: string; region?: string; names?: string }>;
}

const named = <T extends object>(rule: T, name: string | undefined): T => (name ? { ...rule, name } : rule);
const dayOnly = (value: string | undefined): string => (value ?? '').slice(0, 10);

export function calendarOf(ctx: IPollFunctions): CalendarDefinition {
	const rules: CalendarRule[] = [];
	const r = ctx.getNodeParameter('rules', {}) as RuleCollection;
	for (const x of r.date ?? []) rules.push(named({ type: 'date', date: dayOnly(x.date) }, text(x.name)));
	for (const x of r.yearly ?? []) rules.push(named({ type: 'yearly', date: String(x.date ?? '') }, text(x.name)));
	for (const x of r.monthly ?? []) rules.push(named({ type: 'monthly', day: Number(x.day) }, text(x.name)));
	for (const x of r.weekly ?? []) rules.push(named({ type: 'weekly', days: (x.days ?? []) as Weekday[] }, text(x.name)));
	for (const x of r.range ?? []) rules.push(named({ type: 'range', from: dayOnly(x.from), to: dayOnly(x.to) }, text(x.name)));
	for (const x of r.holidays ?? []) {
		const names = (x.names ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
		rules.push({
			type: 'holidays',
			country: String(x.country ?? '').trim(),
			...(text(x.state) ? { state: text(x.state) } : {}),
			...(text(x.region) ? { region: text(x.region) } : {}),
			...(names.length ? { names } : {}),
		});
	}
	if (rules.length === 0) throw new InvalidArgumentError('rules', 'add at least one occasion (a date, a yearly date, public holidays …)');
	const data = ctx.getNodeParameter('calendarData', '{}') as unknown;
	let parsed: unknown = data;
	if (typeof data === 'string') {
		try {
			parsed = JSON.parse(data === '' ? '{}' : data);
		} catch {
			throw new InvalidArgumentError('calendarData', 'is not valid JSON');
		}
	}
	return {
		rules,
		time: text(ctx.getNodeParameter('time', '09:00')) ?? '09:00',
		zone: text(ctx.getNodeParameter('timeZone', 'UTC')) ?? 'UTC',
		daysBefore: ctx.getNodeParameter('daysBefore', 0) as number,
		...(text(ctx.getNode().name) ? { name: ctx.getNode().name } : {}),
		...(parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? { data: parsed as Record<string, unknown> } : {}),
	};
}

function claimOptions(ctx: IPollFunctions) {
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	return {
		limit: typeof options.maxItems === 'number' ? options.maxItems : 100,
		...(typeof options.maxLateMinutes === 'number' && options.maxLateMinutes > 0 ? { maxLateMinutes: options.maxLateMinutes } : {}),
	};
}

async function claim(ctx: IPollFunctions, triggers: Triggers, kinds: DueKind[]): Promise<IDataObject[]> {
	const firings = await triggers.claimDue({ kinds, now: triggerClock.now(), ...claimOptions(ctx) });
	return firings.map(firingToJson);
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Fetch Test Event must not use up a real firing: it shows what one looks like, and when the next is due. */
async function sample(event: TriggerEvent, triggers: Triggers, kinds: DueKind[]): Promise<IDataObject[]> {
	const nextDueAt = iso(await triggers.nextDueAt(kinds));
	const now = new Date(triggerClock.now()).toISOString();
	const base = { sample: true, nextDueAt, dueAt: now, firedAt: now, lateMs: 0 };
	if (event === 'cartAbandoned') {
		return [
			{
				event: 'cartAbandoned',
				cartId: 'sample-cart',
				customerId: 'sample-customer',
				email: 'customer@example.com',
				value: 89.9,
				currency: 'EUR',
				items: [{ sku: 'SKU-1', name: 'Sample item', quantity: 1, price: 89.9 }],
				url: 'https://shop.example.com/cart/sample-cart',
				lastActivityAt: now,
				...base,
			},
		];
	}
	const milestones = kinds.filter((k) => k === 'birthday' || k === 'renewal');
	return milestones.map((milestone) => ({
		event: 'customerMilestone',
		milestone,
		date: now.slice(0, 10),
		year: Number(now.slice(0, 4)),
		customerId: 'sample-customer',
		email: 'customer@example.com',
		phone: null,
		timeZone: 'UTC',
		...base,
	}));
}

async function lifecycle(ctx: IPollFunctions, triggers: Triggers): Promise<IDataObject[]> {
	const types = ctx.getNodeParameter('lifecycleTypes', ['redeemed']) as LifecycleType[];
	const options = ctx.getNodeParameter('lifecycleOptions', {}) as IDataObject;
	const common = {
		types,
		expiringWithinDays: ctx.getNodeParameter('expiringWithinDays', 3) as number,
		...(text(options.campaignId) ? { campaignId: text(options.campaignId) } : {}),
		limit: claimOptions(ctx).limit,
	};
	if (ctx.getMode() === 'manual') return await recentLedgerSample(ctx, types, common.campaignId);
	const out: IDataObject[] = [];
	await triggers.lifecycle(
		{ ...common, cursorName: ownName(ctx), startAt: options.startAt === 'beginning' ? 'beginning' : 'now' },
		(events: LifecycleEvent[]) => {
			for (const e of events) out.push(lifecycleToJson(e));
		},
	);
	return out;
}

/** The latest matching events of the ledger, read without moving the node's cursor. */
async function recentLedgerSample(ctx: IPollFunctions, types: LifecycleType[], campaignId?: string): Promise<IDataObject[]> {
	const engine = await getEngine(ctx);
	let after: string | undefined;
	let last: IDataObject | null = null;
	for (let page = 0; page < 20; page++) {
		const { events, cursor } = await engine.events({ after, limit: 1000, ...(campaignId ? { campaignId } : {}) });
		for (const e of events) {
			const type = lifecycleTypeOf(e);
			if (type && types.includes(type)) {
				last = lifecycleToJson({
					type,
					id: e.id,
					at: e.at,
					campaignId: e.campaignId,
					code: e.code,
					customerId: e.customerId,
					channel: e.channel,
					amount: e.amount,
					reason: e.reason,
					expiresAt: null,
					event: e,
				});
			}
		}
		if (events.length === 0 || cursor === after) break;
		after = cursor;
	}
	return last ? [last] : [];
}

export async function pollOnce(ctx: IPollFunctions): Promise<IDataObject[]> {
	try {
		const event = ctx.getNodeParameter('event') as TriggerEvent;
		const manual = ctx.getMode() === 'manual';
		switch (event) {
			case 'cartAbandoned': {
				const triggers = await getTriggers(ctx, scopeOf(ctx));
				return manual ? await sample(event, triggers, ['cart']) : await claim(ctx, triggers, ['cart']);
			}
			case 'customerMilestone': {
				const kinds = ctx.getNodeParameter('milestones', ['birthday', 'renewal']) as DueKind[];
				if (kinds.length === 0) throw new InvalidArgumentError('milestones', 'choose birthday, renewal or both');
				const triggers = await getTriggers(ctx, scopeOf(ctx));
				return manual ? await sample(event, triggers, kinds) : await claim(ctx, triggers, kinds);
			}
			case 'calendarEvent': {
				const triggers = await getTriggers(ctx, ownName(ctx));
				// Defining the same calendar again changes nothing; an edited one starts from now.
				const next = await triggers.defineCalendar('calendar', calendarOf(ctx));
				if (!manual) return await claim(ctx, triggers, ['calendar']);
				const definition = calendarOf(ctx);
				return next
					? [
							{
								event: 'calendarEvent',
								sample: true,
								calendar: definition.name ?? null,
								date: next.date,
								names: next.names,
								data: (definition.data ?? {}) as IDataObject,
								dueAt: iso(next.fireAt),
								firedAt: iso(next.fireAt),
								lateMs: 0,
							},
						]
					: [];
			}
			case 'couponLifecycle':
				return await lifecycle(ctx, await getTriggers(ctx, scopeOf(ctx)));
			default:
				throw new NodeOperationError(ctx.getNode(), `The event "${String(event)}" is not known`);
		}
	} catch (error) {
		throw toNodeError(ctx.getNode(), error, 0, LABELS);
	}
}
