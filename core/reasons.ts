import type { RejectionReason } from './types';

/** The words an operator reads for each rejection; both stores return the same codes. */
export const REASON_MESSAGES: Record<RejectionReason, string> = {
	NOT_FOUND: 'No such code exists',
	BAD_FORMAT: 'The code does not have the shape of any campaign code',
	BAD_CHECK_CHARACTER: 'The code contains a typo (its check character does not match)',
	NOT_STARTED: 'The campaign has not started yet',
	EXPIRED: 'The code has expired',
	VOIDED: 'The code was voided',
	INACTIVE: 'The campaign is paused',
	CODE_LIMIT_REACHED: 'The code has been used as often as it may be',
	CUSTOMER_LIMIT_REACHED: 'This customer has already used this campaign as often as allowed',
	CAMPAIGN_LIMIT_REACHED: 'The campaign has reached its total number of redemptions',
	ISSUANCE_LIMIT_REACHED: 'The campaign may not issue more codes',
	MIN_ORDER_NOT_MET: 'The order amount is missing or below the minimum for this code',
	CURRENCY_MISMATCH: 'The order currency does not match the currency of this code',
	OUTSIDE_TIME_WINDOW: 'The code cannot be used at this day or hour',
	CHANNEL_NOT_ALLOWED: 'The code cannot be used through this channel',
	NOT_ELIGIBLE: 'The customer is not eligible for this campaign',
	NOT_ASSIGNED: 'The code was issued to another customer',
	BLOCKED: 'Too many failed attempts; try again later',
	RESERVATION_EXPIRED: 'The reservation lapsed before it was committed',
	ALREADY_FINISHED: 'This was already committed, released or rolled back',
};

/** Rejections that look like guessing and count towards the abuse guard. */
export const GUESS_REASONS: ReadonlySet<RejectionReason> = new Set<RejectionReason>([
	'NOT_FOUND',
	'BAD_FORMAT',
	'BAD_CHECK_CHARACTER',
]);

export function reasonMessage(reason: RejectionReason): string {
	return REASON_MESSAGES[reason];
}

/** The words for a refused issue: no code exists yet, so an ended campaign is not "the code has expired". */
export function issueMessage(reason: RejectionReason): string {
	return reason === 'EXPIRED' ? 'The campaign has ended and issues no more codes' : REASON_MESSAGES[reason];
}
