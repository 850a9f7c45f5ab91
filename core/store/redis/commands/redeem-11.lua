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
    KEYS[7]  units of the campaign (hash unitId -> unit, see includes/unit)
    KEYS[8]  prefix of the idempotency records
    KEYS[9]  ledger stream
    KEYS[10] prefix of the stats hashes
    KEYS[11] stats days

    ARGV[1]  campaign version the engine used
    ARGV[2]  idempotency ttl, ms
    ARGV[3]  limit per code
    ARGV[4]  limit per customer ('' = none)
    ARGV[5]  limit of the campaign ('' = none)
    ARGV[6..] three per call. First what the script decides on, a JSON array of strings:
             mode ('redeem' | 'reserve'), idempotency key, fingerprint ('' = none), now (epoch ms),
             holdUntil ('' for a redemption), unit id, code key, customer id, email, order id ('' = none),
             the start of the event's hour (epoch ms, its stats bucket), channel ('' = none,
             '=' .. value) and amount ('' = none), an array of block keys (the caller's abuse-key
             blocks, where one Redis holds every key; on a cluster they live in other slots and the
             caller reads them before: empty), then the customer keys
             (JSON, not one argument per string: Node packs one string per call faster than ioredis
             frames twenty, and cjson reads it back about as fast as Redis makes ARGV).
             Then the event's own fields, packed by Node (`packedEvent` in codec.ts), and the unit the
             call adds if it succeeds, packed by Node (see includes/unit). Redis stores both as they are:
             building the unit here and handing XADD a dozen fields cost Redis a seventh of the redeem.
             (The script appends to the unit the keys of the customer a code was issued to, includes/ownerKeys.)

  Output: one reply per call, in order:
    {'stale'} | {'blocked'} | {'conflict'} | {'replay', record} | {'missing'} (nothing written)
    {'rejected', reason}
    {'redeemed' | 'reserved', codeJson, redemptions, reserved}  (the caller knows the unit id, time,
      holdUntil and code key it sent; the idempotency record keeps the whole tuple of includes/idempotency)
    {'error', message}  (that call failed; the others stand)
]]
local rcall = redis.call

--- @include "includes/idempotency"
--- @include "includes/appendEvent"
--- @include "includes/liveHolds"
--- @include "includes/unit"
--- @include "includes/answerAlone"
--- @include "includes/ownerKeys"

local campaignKey = KEYS[1]
local codePrefix = KEYS[2]
local codeHoldsPrefix = KEYS[3]
local campaignHoldsKey = KEYS[4]
local customerUsedKey = KEYS[5]
local customerHoldsPrefix = KEYS[6]
local unitsKey = KEYS[7]
local idempotencyPrefix = KEYS[8]
local ledger = {events = KEYS[9], statsPrefix = KEYS[10], statDays = KEYS[11]}

local ttl = ARGV[2]
local perCode = tonumber(ARGV[3])
local perCustomer = ARGV[4] ~= '' and tonumber(ARGV[4]) or nil
local total = ARGV[5] ~= '' and tonumber(ARGV[5]) or nil

local replies = {}
local campaign = rcall('HMGET', campaignKey, 'v', 'hmax', 'used')
if campaign[1] ~= ARGV[1] then
  for i = 6, #ARGV, 3 do
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

-- Stats buckets of the batch by type, channel and hour; read on first use, written once at the end.
local buckets, bucketList = {}, {}
local function count(type, channel, hour, amount)
  local byChannel = buckets[type]
  if not byChannel then
    byChannel = {}
    buckets[type] = byChannel
  end
  local byHour = byChannel[channel]
  if not byHour then
    byHour = {}
    byChannel[channel] = byHour
  end
  local bucket = byHour[hour]
  if not bucket then
    local key, day, field = statsBucket(ledger, {at = hour, type = type, channel = channel})
    bucket = parseBucket(rcall('HGET', key, field))
    bucket.key, bucket.day, bucket.field = key, day, field
    byHour[hour] = bucket
    bucketList[#bucketList + 1] = bucket
  end
  addToBucket(bucket, 1, amount)
end

-- The stream fields of one event (type, code as shown, what Node packed, then amount or reason, then
-- order id and holdUntil where there are), refilled for each call; n = how many are set.
local fields = {'t', '', 'c', '', 'e', '', '', '', 'o', '', 'h', ''}

local function useOne(a, event, unit)
  local mode, fingerprint, nowArg, holdUntil = a[1], a[3], a[4], a[5]
  local now = tonumber(nowArg)
  local unitId, codeId, customerId, email, orderId = a[6], a[7], a[8], a[9], a[10]
  local hour, channel, amount, blockKeys = a[11], a[12], a[13], a[14]
  for i = 1, #blockKeys do
    local untilMs = rcall('GET', blockKeys[i])
    if untilMs and tonumber(untilMs) > now then
      return {'blocked'}
    end
  end
  local idempotencyKey = fingerprint ~= '' and (idempotencyPrefix .. mode .. ':' .. a[2]) or ''
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
  local firstKey, lastKey = 15, #a

  local reason
  local n, held
  local counting = mode == 'redeem'
  local counted = firstKey - 1
  if voidedAt then
    reason = 'VOIDED'
  elseif expiresAt and tonumber(expiresAt) <= now then
    reason = 'EXPIRED'
  elseif (assignedId or assignedEmail)
    and not (customerId ~= '' and customerId == assignedId)
    and not (email ~= '' and email == assignedEmail) then
    reason = 'NOT_ASSIGNED'
  else
    if assignedId or assignedEmail then
      -- the owner's keys go into the unit too: a rollback or a commit moves the counts they were given
      local added
      lastKey, added = addOwnerKeys(a, firstKey, lastKey, assignedId, assignedEmail)
      for _, key in ipairs(added) do
        unit = string.sub(unit, 1, -2) .. ',' .. cjson.encode(key) .. ']'
      end
    end
    n = tonumber(code[6])
    held = anyHold and liveHolds(codeHoldsPrefix .. codeId, now) or 0
    if n + held >= perCode then
      reason = 'CODE_LIMIT_REACHED'
    end
    if not reason and perCustomer then
      -- A redemption counts the customer's use as it checks it, and takes the counts back if it is refused:
      -- one HINCRBY instead of an HGET and then an HINCRBY, for the redemptions that stand.
      for i = firstKey, lastKey do
        local key = a[i]
        local c
        if counting then
          c = rcall('HINCRBY', customerUsedKey, key, '1') - 1
          counted = i
        else
          c = tonumber(rcall('HGET', customerUsedKey, key) or '0')
        end
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
    for i = firstKey, counted do
      rcall('HINCRBY', customerUsedKey, a[i], '-1')
    end
  end

  fields[4], fields[6] = '=' .. display, event
  if reason then
    fields[2], fields[7], fields[8] = 'rejected', 'r', reason
    addLedgerEntry(ledger.events, fields, idPrefix, 8)
    count('rejected', channel, hour, '')
    return storeOutcome(idempotencyKey, fingerprint, ttl, {'rejected', reason})
  end

  fields[7], fields[8] = 'a', amount
  local nFields = 8
  if orderId ~= '' then
    fields[nFields + 1], fields[nFields + 2] = 'o', orderId
    nFields = nFields + 2
  end
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
    for i = firstKey, lastKey do
      local holds = customerHoldsPrefix .. a[i]
      rcall('ZADD', holds, holdUntil, unitId)
      rcall('ZREMRANGEBYSCORE', holds, '-inf', stale)
    end
    if tonumber(holdUntil) > hmax then
      hmax = tonumber(holdUntil)
      rcall('HSET', campaignKey, 'hmax', holdUntil)
    end
    held = liveHolds(codeHoldsKey, now)
    rcall('HSET', unitsKey, unitId, unit)
    fields[nFields + 1], fields[nFields + 2] = 'h', holdUntil
    nFields = nFields + 2
  else
    status = 'redeemed'
    holdUntil = ''
    -- '1', not 1: Lua would turn the number into a string with sprintf, about 2k instructions each
    n = rcall('HINCRBY', codeKey, 'n', '1')
    for i = counted + 1, lastKey do
      rcall('HINCRBY', customerUsedKey, a[i], '1')
    end
    used = used + 1
    rcall('HSET', unitsKey, unitId, unit)
  end
  fields[2] = status
  addLedgerEntry(ledger.events, fields, idPrefix, nFields)
  count(status, channel, hour, amount)
  if fingerprint ~= '' then
    storeOutcome(idempotencyKey, fingerprint, ttl, {status, unitId, nowArg, holdUntil, codeId, code[7], '', tostring(n), tostring(held)})
  end
  -- numbers, not strings: they go back as integer replies, which spares Redis formatting them
  return {status, code[7], n, held}
end

for i = 6, #ARGV, 3 do
  replies[#replies + 1] = answerAlone(useOne, cjson.decode(ARGV[i]), ARGV[i + 1], ARGV[i + 2])
end

if used ~= usedBefore then
  rcall('HINCRBY', campaignKey, 'used', used - usedBefore)
end
for _, b in ipairs(bucketList) do
  writeBucket(ledger, b.key, b.day, b.field, b)
end
return replies
