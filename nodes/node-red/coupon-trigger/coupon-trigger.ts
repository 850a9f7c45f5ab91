import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { InvalidArgumentError } from '../../../core/errors';
import { createTriggers, normaliseCart, normaliseOrder } from '../../../core/triggers';
import type {
	CalendarDefinition,
	DueKind,
	LifecycleOptions,
	LifecycleType,
	PurchaseMilestoneOptions,
	ScheduleCustomerOptions,
	TrackCartOptions,
	Triggers,
} from '../../../core/triggers';
import { clockOf, shortTime } from '../lib/clock';
import { isPlainObject } from '../lib/props';
import { asError, clip, errorStatus, errorText, findStore, missingStore } from '../lib/store';

export const TRIGGER_KINDS = ['cart', 'calendar', 'milestone', 'lifecycle'] as const;
type TriggerKind = (typeof TRIGGER_KINDS)[number];

const DUE_KINDS: Record<Exclude<TriggerKind, 'lifecycle'>, DueKind[]> = {
	cart: ['cart'],
	calendar: ['calendar'],
	milestone: ['birthday', 'renewal'],
};

interface TriggerNodeDef extends NodeDef {
	store?: string;
	kind?: string;
	scope?: string;
	interval?: string | number;
	abandonAfterMinutes?: string | number;
	minValue?: string | number;
	quietDays?: string | number;
	calendar?: string;
	time?: string;
	zone?: string;
	daysBefore?: string | number;
	birthday?: boolean;
	renewal?: boolean;
	purchaseNth?: string;
	purchaseEvery?: string | number;
	types?: string;
	expiringWithinDays?: string | number;
	campaignId?: string;
	startAt?: string;
}

/** What the editor's fields mean to core/triggers, checked once on deploy; errors name the field. */
interface Plan {
	kind: TriggerKind;
	intervalMs: number;
	cart: TrackCartOptions;
	calendar: CalendarDefinition | null;
	schedule: ScheduleCustomerOptions;
	milestones: PurchaseMilestoneOptions | null;
	lifecycle: Omit<LifecycleOptions, 'cursorName'>;
}

function numberField(value: unknown, field: string, fallback: number, min = 0): number {
	if (value === undefined || value === null || value === '') return fallback;
	const n = Number(value);
	if (!Number.isFinite(n) || n < min) throw new InvalidArgumentError(field, `must be a number of at least ${min} (got "${String(value)}")`);
	return n;
}

function optional(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function plan(def: TriggerNodeDef): Plan {
	const kind = (def.kind || 'cart') as TriggerKind;
	if (!TRIGGER_KINDS.includes(kind)) throw new InvalidArgumentError('kind', `must be one of ${TRIGGER_KINDS.join(', ')}`);
	const time = optional(def.time);
	const zone = optional(def.zone);
	const daysBefore = numberField(def.daysBefore, 'daysBefore', 0);

	let calendar: CalendarDefinition | null = null;
	if (kind === 'calendar') {
		let rules: unknown;
		try {
			rules = JSON.parse(def.calendar || '[]');
		} catch {
			throw new InvalidArgumentError('calendar', 'is not valid JSON (expected a list of rules such as [{"type": "yearly", "date": "12-24"}])');
		}
		if (!Array.isArray(rules) || rules.length === 0) throw new InvalidArgumentError('calendar', 'give at least one rule');
		calendar = { rules: rules as CalendarDefinition['rules'], time, zone, daysBefore, name: optional(def.name) };
	}

	let milestones: PurchaseMilestoneOptions | null = null;
	const nth = optional(def.purchaseNth)
		?.split(/[\s,]+/)
		.filter((s) => s !== '')
		.map((s) => numberField(s, 'purchaseNth', 1, 1));
	const every = optional(String(def.purchaseEvery ?? '')) ? numberField(def.purchaseEvery, 'purchaseEvery', 1, 1) : undefined;
	if (nth?.length || every !== undefined) milestones = { nth, every };

	const annual = { daysBefore, time };
	const types = (optional(def.types) ?? 'redeemed')
		.split(/[\s,]+/)
		.filter((s) => s !== '') as LifecycleType[];
	const startAt = def.startAt === 'beginning' ? 'beginning' : 'now';
	return {
		kind,
		intervalMs: numberField(def.interval, 'interval', 60, 1) * 1000,
		cart: {
			abandonAfterMinutes: numberField(def.abandonAfterMinutes, 'abandonAfterMinutes', 60, 1),
			minValue: numberField(def.minValue, 'minValue', 0),
			quietDays: numberField(def.quietDays, 'quietDays', 0),
		},
		calendar,
		schedule: { birthday: def.birthday === false ? false : annual, renewal: def.renewal === false ? false : annual, defaultZone: zone },
		milestones,
		lifecycle: {
			types,
			expiringWithinDays: numberField(def.expiringWithinDays, 'expiringWithinDays', 3),
			campaignId: optional(def.campaignId),
			startAt,
		},
	};
}

export default function (RED: NodeAPI): void {
	function CouponTrigger(this: Node, def: TriggerNodeDef): void {
		RED.nodes.createNode(this, def);
		setUp(this, def);
	}

	function setUp(node: Node, def: TriggerNodeDef): void {
		const clock = clockOf(RED);
		const store = findStore(RED, def.store);
		// Each node keeps its own trigger state unless a scope is given to share it.
		const scope = optional(def.scope) ?? `node-red-${node.id}`;
		let settings: Plan | null = null;
		let triggers: Promise<Triggers> | null = null;
		let timer: NodeJS.Timeout | null = null;
		let closing = false;

		try {
			settings = plan(def);
		} catch (err) {
			node.status(errorStatus(err, store?.secrets));
			node.error(errorText(err, store?.secrets));
		}

		const open = (): Promise<Triggers> => {
			if (!settings) return Promise.reject(new Error('the trigger settings are not valid'));
			if (!store) return Promise.reject(missingStore());
			if (!triggers) {
				const p = (async () => {
					const engine = await store.engine();
					const t = await createTriggers({ store: store.storeOptions(), scope, engine, clock });
					if (settings?.calendar) await t.defineCalendar(node.id, settings.calendar);
					return t;
				})();
				triggers = p;
				p.catch(() => {
					if (triggers === p) triggers = null;
				});
			}
			return triggers;
		};

		const describeNext = async (t: Triggers, kind: Exclude<TriggerKind, 'lifecycle'>): Promise<void> => {
			const next = await t.nextDueAt(DUE_KINDS[kind]);
			node.status(
				next === null
					? { fill: 'grey', shape: 'ring', text: RED._('coupon-trigger.status.nothingDue') }
					: { fill: 'blue', shape: 'ring', text: `${RED._('coupon-trigger.status.next')} ${shortTime(next)}` },
			);
		};

		const pollOnce = async (): Promise<void> => {
			if (!settings) return;
			const t = await open();
			if (closing) return;
			const kind = settings.kind;
			if (kind === 'lifecycle') {
				let delivered = 0;
				await t.lifecycle({ ...settings.lifecycle, cursorName: `node-red-${node.id}` }, (events) => {
					for (const event of events) node.send({ topic: event.type, payload: event });
					delivered += events.length;
				});
				node.status({
					fill: 'blue',
					shape: delivered > 0 ? 'dot' : 'ring',
					text: clip(RED._('coupon-trigger.status.watching', { types: settings.lifecycle.types.join(', ') })),
				});
				return;
			}
			const firings = await t.claimDue({ kinds: DUE_KINDS[kind], now: clock() });
			for (const firing of firings) node.send({ topic: firing.kind, payload: firing });
			await describeNext(t, kind);
		};

		// One poll at a time. A request while a poll runs queues one more, which starts after it (so it
		// sees what the request changed); requests while that one waits share it.
		let chain: Promise<void> = Promise.resolve();
		let queued: Promise<void> | null = null;
		const poll = (): Promise<void> => {
			if (queued) return queued;
			const next = chain.then(() => {
				queued = null;
				if (closing) return undefined;
				return pollOnce().catch((err: unknown) => {
					node.status(errorStatus(err, store?.secrets));
					node.error(errorText(err, store?.secrets));
				});
			});
			queued = next;
			chain = next;
			return next;
		};

		if (settings && !store) node.status({ fill: 'red', shape: 'ring', text: RED._('coupon-trigger.status.noStore') });
		if (settings && store) {
			timer = setInterval(() => void poll(), settings.intervalMs);
			void poll();
		}

		node.on('input', (msg, send, done) => {
			void (async () => {
				if (!settings) throw new InvalidArgumentError('kind', 'the trigger settings are not valid; see the node status');
				const t = await open();
				if (msg.poll !== true) await handle(t, settings, msg, send);
				await poll();
				done();
			})().catch((err: unknown) => {
				node.status(errorStatus(err, store?.secrets));
				done(asError(err, store?.secrets));
			});
		});

		const handle = async (
			t: Triggers,
			p: Plan,
			msg: NodeMessage,
			send: (msg: NodeMessage) => void,
		): Promise<void> => {
			const isOrder = msg.topic === 'order';
			if (p.kind === 'cart') {
				if (isOrder) await t.recordOrder(normaliseOrder(msg.payload, { now: clock() }));
				else await t.trackCart(normaliseCart(msg.payload, { now: clock() }), p.cart);
			} else if (p.kind === 'milestone') {
				if (isOrder) {
					const outcome = await t.recordOrder(normaliseOrder(msg.payload, { now: clock() }), p.milestones ? { milestones: p.milestones } : {});
					if (outcome.milestoneReached !== null) {
						send({
							topic: 'purchase',
							payload: { kind: 'purchase', milestone: outcome.milestoneReached, purchaseCount: outcome.purchaseCount, order: msg.payload, outcome },
						});
					}
				} else {
					if (!isPlainObject(msg.payload)) throw new InvalidArgumentError('payload', 'expected a customer profile such as { "id": "c-1", "birthday": "1990-05-17" }');
					const profile = msg.payload;
					const id = profile.id ?? profile.customerId;
					await t.scheduleCustomer({ ...profile, id: typeof id === 'number' ? String(id) : (id as string) }, p.schedule);
				}
			} else if (p.kind === 'calendar' && isPlainObject(msg.payload) && Array.isArray(msg.payload.rules)) {
				await t.defineCalendar(node.id, msg.payload as unknown as CalendarDefinition);
			}
		};

		node.on('close', (removed: boolean, done: () => void) => {
			closing = true;
			if (timer) clearInterval(timer);
			timer = null;
			const pending = triggers;
			triggers = null;
			chain
				.then(() => pending)
				.then(async (t) => {
					// A deleted calendar node takes its schedule with it; a redeploy keeps it.
					if (t && removed && settings?.kind === 'calendar') await t.removeCalendar(node.id);
					await t?.close();
				})
				.catch(() => undefined)
				.finally(() => {
					node.status({});
					done();
				});
		});
	}

	RED.nodes.registerType('coupon trigger', CouponTrigger);
}
