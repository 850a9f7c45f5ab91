--[[
  Commits or releases a reservation, or rolls back a redemption, and appends the event with the
  code, customer, channel and order of the unit.

  Input:
    KEYS[1]  campaign hash
    KEYS[2]  units of the campaign (see includes/unit)
    KEYS[3]  the unit's own hash, as units were kept before the units hash (s = state, r = '1' for a
             reservation, h = holdUntil, u = JSON: code key, code, customer, order id, amount, channel,
             customer keys); read only when the units hash lacks the unit
    KEYS[4]  idempotency record
    KEYS[5]  prefix of the code hashes
    KEYS[6]  prefix of the holds of one code
    KEYS[7]  holds of the campaign
    KEYS[8]  customer usage hash
    KEYS[9]  prefix of the holds of one customer key
    KEYS[10] ledger stream
    KEYS[11] prefix of the stats hashes
    KEYS[12] stats days

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
--- @include "includes/unit"

local campaignKey = KEYS[1]
local unitsKey = KEYS[2]
local legacyUnitKey = KEYS[3]
local idempotencyKey = KEYS[4]
local codePrefix = KEYS[5]
local codeHoldsPrefix = KEYS[6]
local campaignHoldsKey = KEYS[7]
local customerUsedKey = KEYS[8]
local customerHoldsPrefix = KEYS[9]
local ledger = {events = KEYS[10], statsPrefix = KEYS[11], statDays = KEYS[12]}

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

local record = rcall('HGET', unitsKey, unitId)
local unit, state, wasReserved, holdUntil, packed
if record then
  unit, state, wasReserved, holdUntil, packed = readUnit(record)
else
  -- a unit kept in its own hash, as before the units hash
  local legacy = rcall('HMGET', legacyUnitKey, 's', 'r', 'h', 'u')
  state, wasReserved, holdUntil = legacy[1], legacy[2], legacy[3]
  packed = legacy[4] and cjson.decode(legacy[4])
end

-- Records the unit's new state; a unit that stands holds nothing any more.
local function setState(newState)
  if unit then
    rcall('HSET', unitsKey, unitId, unitInState(unit, newState))
  else
    rcall('HSET', legacyUnitKey, 's', newState)
    if newState == 'standing' then
      rcall('HDEL', legacyUnitKey, 'h')
    end
  end
end
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

local codeKeyOfUnit, display, customer, orderId, amount, channel = packed[1], packed[2], packed[3], packed[4], packed[5], packed[6]
if display == '' then
  display = rcall('HGET', codePrefix .. codeKeyOfUnit, 'c')
end
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
  setState('released')
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
  setState('standing')
  count(1)
  event.type = 'redeemed'
  event.amount = amount
  appendEvent(ledger, event)
elseif op == 'release' then
  dropHolds()
  released(lapsed)
else
  setState('rolled_back')
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
