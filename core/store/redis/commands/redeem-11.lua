--[[
  Redeems a code, or reserves one use of it, after checking the campaign version, the idempotency
  record and the limits, in the order of CONTRACT.md. Writes the unit, the counters or holds and
  the `redeemed` / `reserved` / `rejected` event.

  Input:
    KEYS[1]  campaign hash (v = version, used = redemptions that stand, hmax = latest holdUntil given)
    KEYS[2]  code hash
    KEYS[3]  holds of the code (zset unitId -> holdUntil)
    KEYS[4]  holds of the campaign
    KEYS[5]  customer usage hash (customerKey -> redemptions that stand)
    KEYS[6]  prefix of the holds of one customer key
    KEYS[7]  unit hash
    KEYS[8]  idempotency record
    KEYS[9]  ledger stream
    KEYS[10] prefix of the stats hashes
    KEYS[11] stats days

    ARGV[1]  'redeem' | 'reserve'
    ARGV[2]  campaign version the engine used
    ARGV[3]  idempotency fingerprint ('' = none)
    ARGV[4]  idempotency ttl, ms
    ARGV[5]  limit per code
    ARGV[6]  limit per customer ('' = none)
    ARGV[7]  limit of the campaign ('' = none)
    ARGV[8]  now, epoch ms
    ARGV[9]  holdUntil, epoch ms ('' for a redemption)
    ARGV[10] unit id
    ARGV[11] code key
    ARGV[12] customer id of the request ('' = none)
    ARGV[13] email of the request ('' = none)
    ARGV[14] order id ('' = none)
    ARGV[15..22] the event draft (see includes/appendEvent)
    ARGV[23..] customer keys

  Output:
    {'stale'} | {'conflict'} | {'replay', record} | {'missing'} (nothing written)
    {'rejected', reason}
    {'redeemed' | 'reserved', unitId, at, holdUntil, codeKey, codeJson, voidedAt, redemptions, reserved}
]]
local rcall = redis.call

--- @include "includes/idempotency"
--- @include "includes/appendEvent"
--- @include "includes/liveHolds"

local campaignKey = KEYS[1]
local codeKey = KEYS[2]
local codeHoldsKey = KEYS[3]
local campaignHoldsKey = KEYS[4]
local customerUsedKey = KEYS[5]
local customerHoldsPrefix = KEYS[6]
local unitKey = KEYS[7]
local idempotencyKey = KEYS[8]
local ledger = {events = KEYS[9], statsPrefix = KEYS[10], statDays = KEYS[11]}

local reserve = ARGV[1] == 'reserve'
local fingerprint = ARGV[3]
local perCustomer = ARGV[6]
local total = ARGV[7]
local now = tonumber(ARGV[8])
local holdUntil = ARGV[9]
local unitId = ARGV[10]
local customerId = ARGV[12]
local email = ARGV[13]
local orderId = ARGV[14]

local campaign = rcall('HMGET', campaignKey, 'v', 'hmax', 'used')
if campaign[1] ~= ARGV[2] then
  return {'stale'}
end
local prior = checkIdempotency(idempotencyKey, fingerprint)
if prior then
  return prior
end
-- No hold of this campaign can be live after the latest holdUntil ever given: skip the counting.
local anyHold = campaign[2] and tonumber(campaign[2]) > now

local customerKeys = {}
for i = 23, #ARGV do
  customerKeys[#customerKeys + 1] = ARGV[i]
end

local event = draftAt(15)

local code = rcall('HMGET', codeKey, 'c', 'x', 'vd', 'cu', 'em', 'n', 'd')
local display, expiresAt, voidedAt, assignedId, assignedEmail = code[1], code[2], code[3], code[4], code[5]
if not display then
  -- not a code of this campaign: the engine finds out whose it is, or records NOT_FOUND itself
  return {'missing'}
end
local reason
local used, held
if voidedAt then
  reason = 'VOIDED'
elseif expiresAt and tonumber(expiresAt) <= now then
  reason = 'EXPIRED'
elseif (assignedId or assignedEmail)
  and not (customerId ~= '' and customerId == assignedId)
  and not (email ~= '' and email == assignedEmail) then
  reason = 'NOT_ASSIGNED'
else
  used = tonumber(code[6])
  held = anyHold and liveHolds(codeHoldsKey, now) or 0
  if used + held >= tonumber(ARGV[5]) then
    reason = 'CODE_LIMIT_REACHED'
  end
  if not reason and perCustomer ~= '' then
    local limit = tonumber(perCustomer)
    for _, key in ipairs(customerKeys) do
      local n = tonumber(rcall('HGET', customerUsedKey, key) or '0')
      if anyHold then
        n = n + liveHolds(customerHoldsPrefix .. key, now)
      end
      if n >= limit then
        reason = 'CUSTOMER_LIMIT_REACHED'
        break
      end
    end
  end
  if not reason and total ~= '' then
    local n = tonumber(campaign[3] or '0') + (anyHold and liveHolds(campaignHoldsKey, now) or 0)
    if n >= tonumber(total) then
      reason = 'CAMPAIGN_LIMIT_REACHED'
    end
  end
end

if reason then
  event.type = 'rejected'
  event.reason = reason
  event.amount = ''
  event.code = '=' .. display
  appendEvent(ledger, event)
  return storeOutcome(idempotencyKey, fingerprint, ARGV[4], {'rejected', reason})
end

-- what commit, release and rollback need of the unit, in one field: code key, code, customer, order id,
-- amount, channel, then the customer keys
local unit = cjson.encode({ARGV[11], display, event.customer, orderId, event.amount, event.channel, unpack(customerKeys)})
event.code = '=' .. display
event.extra = orderId ~= '' and {'o', orderId} or {}

local status
if reserve then
  status = 'reserved'
  -- Lapsed holds count for nothing; drop the ones lapsed a day ago so the sets stay small.
  local stale = '(' .. (now - 86400000)
  rcall('ZADD', codeHoldsKey, holdUntil, unitId)
  rcall('ZREMRANGEBYSCORE', codeHoldsKey, '-inf', stale)
  rcall('ZADD', campaignHoldsKey, holdUntil, unitId)
  rcall('ZREMRANGEBYSCORE', campaignHoldsKey, '-inf', stale)
  for _, key in ipairs(customerKeys) do
    rcall('ZADD', customerHoldsPrefix .. key, holdUntil, unitId)
    rcall('ZREMRANGEBYSCORE', customerHoldsPrefix .. key, '-inf', stale)
  end
  if not campaign[2] or tonumber(holdUntil) > tonumber(campaign[2]) then
    rcall('HSET', campaignKey, 'hmax', holdUntil)
  end
  held = liveHolds(codeHoldsKey, now)
  rcall('HSET', unitKey, 's', 'held', 'r', '1', 'h', holdUntil, 'u', unit)
  event.type = 'reserved'
  event.extra[#event.extra + 1] = 'h'
  event.extra[#event.extra + 1] = holdUntil
else
  status = 'redeemed'
  holdUntil = ''
  used = rcall('HINCRBY', codeKey, 'n', 1)
  for _, key in ipairs(customerKeys) do
    rcall('HINCRBY', customerUsedKey, key, 1)
  end
  rcall('HINCRBY', campaignKey, 'used', 1)
  rcall('HSET', unitKey, 's', 'standing', 'u', unit)
  event.type = 'redeemed'
end
appendEvent(ledger, event)

return storeOutcome(idempotencyKey, fingerprint, ARGV[4],
  {status, unitId, ARGV[8], holdUntil, ARGV[11], code[7], '', tostring(used), tostring(held)})
