// Trigger state (core/triggers) for the n8n nodes: one open service per store and scope, kept like the engine.
import type { IDataObject, IExecuteFunctions, IPollFunctions, IWebhookFunctions } from 'n8n-workflow';

import { createTriggers } from '../../../core/triggers';
import type { Firing, LifecycleEvent, Triggers } from '../../../core/triggers';
import { getStore, storeOpenError } from './store';

/** The clock trigger decisions use; tests move it instead of waiting. */
export const triggerClock = { now: (): number => Date.now() };

const open = new Map<string, Promise<Triggers>>();

export async function getTriggers(
	ctx: IExecuteFunctions | IPollFunctions | IWebhookFunctions,
	scope: string,
): Promise<Triggers> {
	const { engine, options, fingerprint } = await getStore(ctx);
	const key = `${fingerprint}\u0000${scope}`;
	let triggers = open.get(key);
	if (!triggers) {
		const created = createTriggers({ store: options, scope, engine, clock: () => triggerClock.now() });
		open.set(key, created);
		created.catch(() => {
			if (open.get(key) === created) open.delete(key);
		});
		triggers = created;
	}
	try {
		return await triggers;
	} catch (error) {
		throw storeOpenError(ctx, options, error);
	}
}

/** Closes every trigger service (tests, shutdown). */
export async function closeAllTriggers(): Promise<void> {
	const all = [...open.values()];
	open.clear();
	await Promise.all(all.map(async (t) => (await t.catch(() => null))?.close()));
}

const iso = (ms: number | null | undefined): string | null =>
	ms === null || ms === undefined ? null : new Date(ms).toISOString();

/** A due firing as an n8n item: the event name first, instants as ISO text. */
export function firingToJson(firing: Firing): IDataObject {
	const times = { dueAt: iso(firing.dueAt), firedAt: iso(firing.firedAt), lateMs: firing.lateMs };
	switch (firing.kind) {
		case 'cart': {
			const { cart } = firing;
			return {
				event: 'cartAbandoned',
				cartId: cart.cartId,
				customerId: cart.customerId,
				email: cart.email,
				value: cart.value,
				currency: cart.currency,
				items: cart.items as unknown as IDataObject[],
				url: cart.url,
				lastActivityAt: iso(cart.lastActivityAt),
				...times,
			};
		}
		case 'calendar':
			return {
				event: 'calendarEvent',
				calendar: firing.name,
				date: firing.date,
				names: firing.names,
				data: firing.data as IDataObject,
				...times,
			};
		default:
			return {
				event: 'customerMilestone',
				milestone: firing.kind,
				date: firing.date,
				year: firing.year,
				customerId: firing.customer.id,
				email: firing.customer.email,
				phone: firing.customer.phone,
				timeZone: firing.customer.timeZone,
				...times,
			};
	}
}

export function lifecycleToJson(event: LifecycleEvent): IDataObject {
	return {
		event: 'couponLifecycle',
		type: event.type,
		id: event.id,
		at: event.at,
		campaignId: event.campaignId,
		code: event.code,
		customerId: event.customerId,
		channel: event.channel,
		amount: event.amount,
		reason: event.reason,
		expiresAt: event.expiresAt,
	};
}
