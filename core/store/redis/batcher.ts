// Redeems and reservations that arrive while the event loop is busy go to Redis together: one script call
// per campaign version and batch, as SQLite commits them together. Each call still gets its own outcome,
// decided after the calls queued before it.
import type { LimitSnapshot, RedeemOutcome, RedeemRequest } from '../types';
import { amountArg, enc, eventTime, opt, packedEvent, replyOutcome, storedCode } from './codec';
import type { Reply } from './scripts';
import { TickGroups } from './tickGroups';

/**
 * Calls per script run: enough to spread its fixed cost, few enough that no run holds Redis for long,
 * and small enough that a busy process has a second run on the wire while Node reads the first one's
 * replies and packs the next (with 64 calls in flight, runs of 32 take about 1.5 times the redeems per second runs of 128 do).
 */
export const MAX_USE_BATCH = 32;

const HOUR = 3_600_000;

interface Pending {
	call: [call: string, event: string, unit: string];
	req: RedeemRequest;
	mode: 'redeem' | 'reserve';
}

type RunBatch = (limits: LimitSnapshot, calls: string[]) => Promise<unknown[]>;

/**
 * One call as the redeem script reads it (see redeem-11.lua): what the script decides on, as a JSON array
 * of strings; what its event takes as it is (`packedEvent`); and the unit the call adds when it succeeds,
 * packed here so that Redis only stores it, adding at most the keys of the customer the code was issued to
 * (see includes/unit.lua, includes/ownerKeys.lua). `blockKeys` are the Redis keys of the
 * caller's blocks, for the script to read (none where the caller read them).
 */
export function packUse(mode: 'redeem' | 'reserve', req: RedeemRequest, blockKeys: string[]): [call: string, event: string, unit: string] {
	const holdUntil = mode === 'reserve' ? String(req.holdUntil ?? req.now) : '';
	const orderId = opt(req.orderId);
	const e = req.event;
	const atMs = eventTime(e.at);
	const at = String(atMs);
	const customer = enc(e.customerId);
	const channel = enc(e.channel);
	const amount = amountArg(e.amount);
	const call = JSON.stringify([
		mode,
		req.idempotency?.key ?? '',
		req.idempotency?.fingerprint ?? '',
		String(req.now),
		holdUntil,
		req.unitId,
		req.codeKey,
		opt(req.customerId),
		opt(req.email),
		orderId,
		String(atMs - (((atMs % HOUR) + HOUR) % HOUR)),
		channel,
		amount,
		blockKeys,
		...req.customerKeys,
	]);
	// the layout of includes/unit.lua, the code as shown left '' (this process has not read the code)
	const unit = JSON.stringify([
		mode === 'reserve' ? 'held' : 'standing',
		mode === 'reserve' ? '1' : '',
		holdUntil,
		req.codeKey,
		'',
		customer,
		orderId,
		amount,
		channel,
		...req.customerKeys,
	]);
	return [call, packedEvent(e, at), unit];
}

/** Status, code JSON, then redemptions and reserved as integers. */
type UsedReply = [status: string, codeJson: string, redemptions: number, reserved: number];

/** A fresh `redeemed` / `reserved` reply: the script answers what only it knows, the call gives the rest. */
function usedOutcome(p: Pending, reply: UsedReply, campaignId: string): RedeemOutcome {
	const [status, codeJson, redemptions, reserved] = reply;
	const holdUntil = p.mode === 'reserve' ? (p.req.holdUntil ?? p.req.now) : null;
	return {
		status: status as 'redeemed' | 'reserved',
		unitId: p.req.unitId,
		code: storedCode(campaignId, p.req.codeKey, codeJson, '', redemptions, reserved),
		at: p.req.now,
		holdUntil,
	};
}

export class UseBatcher {
	private readonly runs: TickGroups<Pending, unknown[]>;

	constructor(runBatch: RunBatch) {
		// a group is one campaign version: its calls share the limits the script checks
		this.runs = new TickGroups((_group, batch) => runBatch(batch[0].req.limits, batch.flatMap((p) => p.call)), MAX_USE_BATCH);
	}

	add(mode: 'redeem' | 'reserve', req: RedeemRequest, blockKeys: string[]): Promise<RedeemOutcome> {
		const p: Pending = { call: packUse(mode, req, blockKeys), req, mode };
		const campaignId = req.limits.campaignId;
		return this.runs
			.add(`${req.limits.campaignVersion}:${campaignId}`, p)
			.then((reply) =>
				reply[0] === 'redeemed' || reply[0] === 'reserved'
					? usedOutcome(p, reply as unknown as UsedReply, campaignId)
					: replyOutcome<RedeemOutcome>(reply as Reply, campaignId),
			);
	}
}
