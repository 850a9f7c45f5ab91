import { v7 as uuidv7 } from 'uuid';

/** Time-ordered id (uuid v7) for ledger events. */
export function newId(): string {
	return uuidv7();
}

/** Reservation and redemption ids carry their campaign so a store can route them without a lookup. */
export function unitId(campaignId: string): string {
	return `${campaignId}~${uuidv7()}`;
}

export function campaignOfUnit(id: string): string | null {
	const at = id.lastIndexOf('~');
	return at > 0 ? id.slice(0, at) : null;
}
