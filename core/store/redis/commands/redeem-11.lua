--[[
  Redeems codes, or reserves one use of each, for a batch of calls of one campaign version: each call
  after checking the idempotency record and the limits, in the order of CONTRACT.md, and seeing what
  the calls before it in the batch did. Writes the units, the counters or holds and the `redeemed` /
  `reserved` / `rejected` events.

  One batch, not one call per script: the campaign hash, the server time and each stats bucket are read
  and written once per batch, which is most of what a lone redeem costs Redis.

  Input:
    KEYS[1]  campaign hash (v = version, used = redemptions that stand, hmax = latest holdUntil given)
    KEYS[2]  prefix of the code hashes
    KEYS[3]  prefix of the holds of one code (zset unitId -> holdUntil)
    KEYS[4]  holds of the campaign
    KEYS[5]  customer usage hash (customerKey -> redemptions that stand)
    KEYS[6]  prefix of the holds of one customer key
    KEYS[7]  prefix of the unit hashes
    KEYS[8]  prefix of the idempotency records
    KEYS[9]  ledger stream
    KEYS[10] prefix of the stats hashes
    KEYS[11] stats days

    ARGV[1]  campaign version the engine used
    ARGV[2]  idempotency ttl, ms
    ARGV[3]  limit per code
    ARGV[4]  limit per customer ('' = none)
    ARGV[5]  limit of the campaign ('' = none)
    ARGV[6..] one call each, a JSON array of strings:
             mode ('redeem' | 'reserve'), idempotency key, fingerprint ('' = none), now (epoch ms),
             holdUntil ('' for a redemption), unit id, code key, customer id, email, order id ('' = none),
             the event draft (8 strings, see includes/appendEvent), then the customer keys

  Output: one reply per call, in order:
    {'stale'} | {'conflict'} | {'replay', record} | {'missing'} (nothing written)
    {'rejected', reason}
    {'redeemed' | 'reserved', unitId, at, holdUntil, codeKey, codeJson, voidedAt, redemptions, reserved}
    {'error', message}  (that call failed; the others stand)
]]
local rcall = redis.call

--- @include "includes/idempotency"
--- @include "includes/appendEvent"
--- @include "includes/liveHolds"

local campaignKey = KEYS[1]
local codePrefix = KEYS[2]
local codeHoldsPrefix = KEYS[3]
local campaignHoldsKey = KEYS[4]
local customerUsedKey = KEYS[5]
local customerHoldsPrefix = KEYS[6]
local unitPrefix = KEYS[7]
local idempotencyPrefix = KEYS[8]
local ledger = {events = KEYS[9], statsPrefix = KEYS[10], statDays = KEYS[11]}

local ttl = ARGV[2]
local perCode = tonumber(ARGV[3])
local perCustomer = ARGV[4] ~= '' and tonumber(ARGV[4]) or nil
local total = ARGV[5] ~= '' and tonumber(ARGV[5]) or nil

local replies = {}
local campaign = rcall('HMGET', campaignKey, 'v', 'hmax', 'used')
if campaign[1] ~= ARGV[1] then
  for i = 6, #ARGV do
    replies[#replies + 1] = {'stale'}
  end
  return replies
end
local hmax = tonumber(campaign[2] or '0')
local used = tonumber(campaign[3] or '0')
local usedBefore = used

-- One server time for the batch: its events get ids `<time>-0`, `<time>-1`, … in append order.
local time = rcall('TIME')
local idPrefix = time[1] .. string.format('%06d', time[2])
local buckets, bucketOrder = {}, {}

local function append(e)
  local fields = {'i', e.id, 'at', e.at, 't', e.type, 'k', e.campaign, 'c', e.code, 'u', e.customer,
    'ch', e.channel, 'n', e.count, 'a', e.amount, 'r', e.reason, 'd', e.data}
  for i = 1, #e.extra do
    fields[#fields + 1] = e.extra[i]
  end
  addLedgerEntry(ledger.events, fields, idPrefix)
  local key, day, field = statsBucket(ledger, e)
  local id = key .. '\n' .. field
  local bucket = buckets[id]
  if not bucket then
    bucket = parseBucket(rcall('HGET', key, field))
    bucket.key, bucket.day, bucket.field = key, day, field
    buckets[id] = bucket
    bucketOrder[#bucketOrder + 1] = id
  end
  addToBucket(bucket, e)
end

local function useOne(x)
  local mode, fingerprint, now, holdUntil = x[1], x[3], tonumber(x[4]), x[5]
  local unitId, codeId, customerId, email, orderId = x[6], x[7], x[8], x[9], x[10]
  local idempotencyKey = idempotencyPrefix .. mode .. ':' .. x[2]
  local prior = checkIdempotency(idempotencyKey, fingerprint)
  if prior then
    return prior
  end
  local codeKey = codePrefix .. codeId
  local code = rcall('HMGET', codeKey, 'c', 'x', 'vd', 'cu', 'em', 'n', 'd')
  local display, expiresAt, voidedAt, assignedId, assignedEmail = code[1], code[2], code[3], code[4], code[5]
  if not display then
    -- not a code of this campaign: the engine finds out whose it is, or records NOT_FOUND itself
    return {'missing'}
  end
  -- No hold of this campaign can be live after the latest holdUntil ever given: skip the counting.
  local anyHold = hmax > now
  local customerKeys = {}
  for i = 19, #x do
    customerKeys[#customerKeys + 1] = x[i]
  end
  local event = {id = x[11], at = x[12], campaign = x[13], code = '=' .. display, customer = x[15], channel = x[16],
    amount = x[17], data = x[18], count = '1', reason = '', extra = {}}

  local reason
  local n, held
  if voidedAt then
    reason = 'VOIDED'
  elseif expiresAt and tonumber(expiresAt) <= now then
    reason = 'EXPIRED'
  elseif (assignedId or assignedEmail)
    and not (customerId ~= '' and customerId == assignedId)
    and not (email ~= '' and email == assignedEmail) then
    reason = 'NOT_ASSIGNED'
  else
    n = tonumber(code[6])
    held = anyHold and liveHolds(codeHoldsPrefix .. codeId, now) or 0
    if n + held >= perCode then
      reason = 'CODE_LIMIT_REACHED'
    end
    if not reason and perCustomer then
      for _, key in ipairs(customerKeys) do
        local c = tonumber(rcall('HGET', customerUsedKey, key) or '0')
        if anyHold then
          c = c + liveHolds(customerHoldsPrefix .. key, now)
        end
        if c >= perCustomer then
          reason = 'CUSTOMER_LIMIT_REACHED'
          break
        end
      end
    end
    if not reason and total then
      if used + (anyHold and liveHolds(campaignHoldsKey, now) or 0) >= total then
        reason = 'CAMPAIGN_LIMIT_REACHED'
      end
    end
  end

  if reason then
    event.type = 'rejected'
    event.reason = reason
    event.amount = ''
    append(event)
    return storeOutcome(idempotencyKey, fingerprint, ttl, {'rejected', reason})
  end

  -- what commit, release and rollback need of the unit, in one field: code key, code, customer, order id,
  -- amount, channel, then the customer keys
  local unit = cjson.encode({codeId, display, event.customer, orderId, event.amount, event.channel, unpack(customerKeys)})
  if orderId ~= '' then
    event.extra = {'o', orderId}
  end
  local unitKey = unitPrefix .. unitId
  local status
  if mode == 'reserve' then
    status = 'reserved'
    -- Lapsed holds count for nothing; drop the ones lapsed a day ago so the sets stay small.
    local stale = '(' .. (now - 86400000)
    local codeHoldsKey = codeHoldsPrefix .. codeId
    rcall('ZADD', codeHoldsKey, holdUntil, unitId)
    rcall('ZREMRANGEBYSCORE', codeHoldsKey, '-inf', stale)
    rcall('ZADD', campaignHoldsKey, holdUntil, unitId)
    rcall('ZREMRANGEBYSCORE', campaignHoldsKey, '-inf', stale)
    for _, key in ipairs(customerKeys) do
      rcall('ZADD', customerHoldsPrefix .. key, holdUntil, unitId)
      rcall('ZREMRANGEBYSCORE', customerHoldsPrefix .. key, '-inf', stale)
    end
    if tonumber(holdUntil) > hmax then
      hmax = tonumber(holdUntil)
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
    n = rcall('HINCRBY', codeKey, 'n', 1)
    for _, key in ipairs(customerKeys) do
      rcall('HINCRBY', customerUsedKey, key, 1)
    end
    used = used + 1
    rcall('HSET', unitKey, 's', 'standing', 'u', unit)
    event.type = 'redeemed'
  end
  append(event)
  return storeOutcome(idempotencyKey, fingerprint, ttl,
    {status, unitId, x[4], holdUntil, codeId, code[7], '', tostring(n), tostring(held)})
end

for i = 6, #ARGV do
  local ok, reply = pcall(useOne, cjson.decode(ARGV[i]))
  if not ok then
    reply = {'error', type(reply) == 'table' and tostring(reply.err) or tostring(reply)}
  end
  replies[#replies + 1] = reply
end

if used ~= usedBefore then
  rcall('HINCRBY', campaignKey, 'used', used - usedBefore)
end
for _, id in ipairs(bucketOrder) do
  local b = buckets[id]
  writeBucket(ledger, b.key, b.day, b.field, b)
end
return replies
