--[[
  Redeems a code, or reserves one use of it, after checking the campaign version, the idempotency
  record and the limits, in the order of CONTRACT.md. Writes the unit, the counters or holds and
  the `redeemed` / `reserved` / `rejected` event.

  Input:
    KEYS[1]  campaign hash (v = version, used = redemptions that stand)
    KEYS[2]  code hash
    KEYS[3]  holds of the code (zset unitId -> holdUntil)
    KEYS[4]  holds of the campaign
    KEYS[5]  customer usage hash (customerKey -> redemptions that stand)
    KEYS[6]  prefix of the holds of one customer key
    KEYS[7]  unit hash
    KEYS[8]  idempotency record
    KEYS[9]  ledger stream
    KEYS[10] ledger event ids
    KEYS[11] prefix of the stats hashes
    KEYS[12] stats days

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
    ARGV[15] customer id of the event ('' = null, '=' .. id)
    ARGV[16] event id
    ARGV[17] event JSON
    ARGV[18] event hour, epoch ms
    ARGV[19] event day, epoch ms
    ARGV[20] event channel ('' = null, '=' .. channel)
    ARGV[21] event amount ('' = null)
    ARGV[22..] customer keys

  Output:
    {'stale'} | {'conflict'} | {'replay', record}
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
local ledger = {events = KEYS[9], eventIds = KEYS[10], statsPrefix = KEYS[11], statDays = KEYS[12]}

local reserve = ARGV[1] == 'reserve'
local fingerprint = ARGV[3]
local perCode = tonumber(ARGV[5])
local perCustomer = ARGV[6]
local total = ARGV[7]
local now = tonumber(ARGV[8])
local holdUntil = ARGV[9]
local unitId = ARGV[10]
local customerId = ARGV[12]
local email = ARGV[13]
local orderId = ARGV[14]

if rcall('HGET', campaignKey, 'v') ~= ARGV[2] then
  return {'stale'}
end
local prior = checkIdempotency(idempotencyKey, fingerprint)
if prior then
  return prior
end

local customerKeys = {}
for i = 22, #ARGV do
  customerKeys[#customerKeys + 1] = ARGV[i]
end

local event = {id = ARGV[16], body = ARGV[17], hour = ARGV[18], day = ARGV[19], count = '1', reason = '',
  channel = ARGV[20], amount = ARGV[21]}

local code = rcall('HMGET', codeKey, 'c', 'x', 'vd', 'cu', 'em', 'n', 'd')
local display, expiresAt, voidedAt, assignedId, assignedEmail = code[1], code[2], code[3], code[4], code[5]
local reason
local used, held
if not display then
  reason = 'NOT_FOUND'
elseif voidedAt then
  reason = 'VOIDED'
elseif expiresAt and tonumber(expiresAt) <= now then
  reason = 'EXPIRED'
elseif (assignedId or assignedEmail)
  and not (customerId ~= '' and customerId == assignedId)
  and not (email ~= '' and email == assignedEmail) then
  reason = 'NOT_ASSIGNED'
else
  used = tonumber(code[6])
  held = liveHolds(codeHoldsKey, now)
  if used + held >= perCode then
    reason = 'CODE_LIMIT_REACHED'
  end
  if not reason and perCustomer ~= '' then
    local limit = tonumber(perCustomer)
    for _, key in ipairs(customerKeys) do
      local n = tonumber(rcall('HGET', customerUsedKey, key) or '0') + liveHolds(customerHoldsPrefix .. key, now)
      if n >= limit then
        reason = 'CUSTOMER_LIMIT_REACHED'
        break
      end
    end
  end
  if not reason and total ~= '' then
    local n = tonumber(rcall('HGET', campaignKey, 'used') or '0') + liveHolds(campaignHoldsKey, now)
    if n >= tonumber(total) then
      reason = 'CAMPAIGN_LIMIT_REACHED'
    end
  end
end

if reason then
  event.type = 'rejected'
  event.reason = reason
  event.amount = ''
  event.over = {'a', ''}
  if display then
    event.over[3] = 'c'
    event.over[4] = '=' .. display
  end
  appendEvent(ledger, event)
  return storeOutcome(idempotencyKey, fingerprint, ARGV[4], {'rejected', reason})
end

local unit = {'k', ARGV[11], 'c', display, 'ck', cjson.encode(customerKeys), 'cu', ARGV[15], 't', ARGV[8]}
if orderId ~= '' then
  unit[#unit + 1] = 'o'
  unit[#unit + 1] = orderId
end
if event.amount ~= '' then
  unit[#unit + 1] = 'a'
  unit[#unit + 1] = event.amount
end
if event.channel ~= '' then
  unit[#unit + 1] = 'ch'
  unit[#unit + 1] = event.channel
end
event.over = {'c', '=' .. display}
if orderId ~= '' then
  event.over[3] = 'o'
  event.over[4] = orderId
end

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
  held = liveHolds(codeHoldsKey, now)
  rcall('HSET', unitKey, 'kind', 'reservation', 'r', '1', 's', 'held', 'h', holdUntil, unpack(unit))
  event.type = 'reserved'
  event.over[#event.over + 1] = 'h'
  event.over[#event.over + 1] = holdUntil
else
  status = 'redeemed'
  holdUntil = ''
  used = rcall('HINCRBY', codeKey, 'n', 1)
  for _, key in ipairs(customerKeys) do
    rcall('HINCRBY', customerUsedKey, key, 1)
  end
  rcall('HINCRBY', campaignKey, 'used', 1)
  rcall('HSET', unitKey, 'kind', 'redemption', 's', 'standing', unpack(unit))
  event.type = 'redeemed'
end
appendEvent(ledger, event)

return storeOutcome(idempotencyKey, fingerprint, ARGV[4],
  {status, unitId, ARGV[8], holdUntil, ARGV[11], code[7], '', tostring(used), tostring(held)})
