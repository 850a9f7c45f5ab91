--[[
  Commits or releases a reservation, or rolls back a redemption, and appends the event with the
  code, customer, channel and order of the unit.

  Input:
    KEYS[1]  campaign hash
    KEYS[2]  unit hash (s = state, r = '1' for a reservation, h = holdUntil, u = what redeem packed)
    KEYS[3]  idempotency record
    KEYS[4]  prefix of the code hashes
    KEYS[5]  prefix of the holds of one code
    KEYS[6]  holds of the campaign
    KEYS[7]  customer usage hash
    KEYS[8]  prefix of the holds of one customer key
    KEYS[9]  ledger stream
    KEYS[10] prefix of the stats hashes
    KEYS[11] stats days

    ARGV[1]  'commit' | 'release' | 'rollback'
    ARGV[2]  idempotency fingerprint ('' = none)
    ARGV[3]  idempotency ttl, ms
    ARGV[4]  now, epoch ms
    ARGV[5]  unit id
    ARGV[6..13] the event draft (see includes/appendEvent)

  Output:
    {'conflict'} | {'replay', record}
    {'rejected', 'NOT_FOUND' | 'ALREADY_FINISHED' | 'RESERVATION_EXPIRED'}
    {'done', unitId, codeKey, code, at, orderId ('' = null, '=' .. id), amount ('' = null)}
]]
local rcall = redis.call

--- @include "includes/idempotency"
--- @include "includes/appendEvent"

local campaignKey = KEYS[1]
local unitKey = KEYS[2]
local idempotencyKey = KEYS[3]
local codePrefix = KEYS[4]
local codeHoldsPrefix = KEYS[5]
local campaignHoldsKey = KEYS[6]
local customerUsedKey = KEYS[7]
local customerHoldsPrefix = KEYS[8]
local ledger = {events = KEYS[9], statsPrefix = KEYS[10], statDays = KEYS[11]}

local op = ARGV[1]
local fingerprint = ARGV[2]
local ttl = ARGV[3]
local now = tonumber(ARGV[4])
local unitId = ARGV[5]

local prior = checkIdempotency(idempotencyKey, fingerprint)
if prior then
  return prior
end

local function reject(reason)
  return storeOutcome(idempotencyKey, fingerprint, ttl, {'rejected', reason})
end

local unit = rcall('HMGET', unitKey, 's', 'r', 'h', 'u')
local state, wasReserved, holdUntil = unit[1], unit[2], unit[3]
if op == 'rollback' then
  -- a unit is a redemption once it stands (redeemed, or a committed reservation)
  if state ~= 'standing' and state ~= 'rolled_back' then
    return reject('NOT_FOUND')
  end
  if state ~= 'standing' then
    return reject('ALREADY_FINISHED')
  end
else
  if wasReserved ~= '1' then
    return reject('NOT_FOUND')
  end
  if state ~= 'held' then
    return reject('ALREADY_FINISHED')
  end
end

local packed = cjson.decode(unit[4])
local codeKeyOfUnit, display, customer, orderId, amount, channel = packed[1], packed[2], packed[3], packed[4], packed[5], packed[6]
local customerKeys = {}
for i = 7, #packed do
  customerKeys[#customerKeys + 1] = packed[i]
end

local event = draftAt(6)
event.code = '=' .. display
event.customer = customer
event.channel = channel
event.extra = orderId ~= '' and {'o', orderId} or {}

local function count(delta)
  rcall('HINCRBY', codePrefix .. codeKeyOfUnit, 'n', delta)
  for _, key in ipairs(customerKeys) do
    rcall('HINCRBY', customerUsedKey, key, delta)
  end
  rcall('HINCRBY', campaignKey, 'used', delta)
end

local function dropHolds()
  rcall('ZREM', codeHoldsPrefix .. codeKeyOfUnit, unitId)
  rcall('ZREM', campaignHoldsKey, unitId)
  for _, key in ipairs(customerKeys) do
    rcall('ZREM', customerHoldsPrefix .. key, unitId)
  end
end

local function released(lapsed)
  rcall('HSET', unitKey, 's', 'released')
  event.type = 'released'
  if lapsed then
    event.extra[#event.extra + 1] = 'l'
    event.extra[#event.extra + 1] = '1'
  end
  appendEvent(ledger, event)
end

local lapsed = holdUntil ~= false and tonumber(holdUntil) <= now
if op == 'commit' then
  dropHolds()
  if lapsed then
    released(true)
    return reject('RESERVATION_EXPIRED')
  end
  rcall('HSET', unitKey, 's', 'standing')
  rcall('HDEL', unitKey, 'h')
  count(1)
  event.type = 'redeemed'
  event.amount = amount
  appendEvent(ledger, event)
elseif op == 'release' then
  dropHolds()
  released(lapsed)
else
  rcall('HSET', unitKey, 's', 'rolled_back')
  count(-1)
  event.amount = ''
  if amount ~= '' then
    local negative = -tonumber(amount)
    if negative == 0 then
      negative = 0
    end
    event.amount = string.format('%.17g', negative)
  end
  event.type = 'rolled_back'
  appendEvent(ledger, event)
end

return storeOutcome(idempotencyKey, fingerprint, ttl,
  {'done', unitId, codeKeyOfUnit, display, ARGV[4], orderId ~= '' and ('=' .. orderId) or '', amount})
