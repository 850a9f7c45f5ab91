// Every Redis key of the trigger state. All keys of one scope share the hash tag `{scope}`, so each
// script touches one Redis Cluster slot.
import type { DueKind } from '../types';

export const CLAIM_KINDS: readonly DueKind[] = ['cart', 'calendar', 'birthday', 'renewal'];

export class TriggerKeys {
	/** `keyPrefix` is the engine's (default `ck:`); trigger keys live under `<keyPrefix>trig:`. */
	constructor(private readonly keyPrefix: string) {}

	private base(scope: string): string {
		return `${this.keyPrefix}trig:{${scope}}:`;
	}

	entryPrefix(scope: string): string {
		return `${this.base(scope)}e:`;
	}

	entry(scope: string, kind: DueKind, key: string): string {
		return `${this.entryPrefix(scope)}${kind}:${key}`;
	}

	due(scope: string, kind: DueKind): string {
		return `${this.base(scope)}due:${kind}`;
	}

	order(scope: string, orderId: string): string {
		return `${this.base(scope)}o:${orderId}`;
	}

	delivery(scope: string, key: string): string {
		return `${this.base(scope)}d:${key}`;
	}

	customerPrefix(scope: string): string {
		return `${this.base(scope)}c:`;
	}

	customer(scope: string, customerKey: string): string {
		return `${this.customerPrefix(scope)}${customerKey}`;
	}

	/** Stands in for an absent key so a script keeps its key count and slot. */
	none(scope: string): string {
		return `${this.base(scope)}none`;
	}

	expiringDue(scope: string, cursorName: string): string {
		return `${this.base(scope)}x:${cursorName}`;
	}

	expiringData(scope: string, cursorName: string): string {
		return `${this.base(scope)}xd:${cursorName}`;
	}

	cursor(scope: string, name: string): string {
		return `${this.base(scope)}cur:${name}`;
	}
}
