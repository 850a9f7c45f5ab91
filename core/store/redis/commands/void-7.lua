--[[
  Voids a code.

  Input:
    KEYS[1]  code hash
    KEYS[2]  holds of the code
    KEYS[3]  idempotency record
    KEYS[4]  ledger stream
    KEYS[5]  ledger event ids
    KEYS[6]  prefix of the stats hashes
    KEYS[7]  stats days

    ARGV[1]  idempotency fingerprint ('' = none)
    ARGV[2]  idempotency ttl, ms
    ARGV[3]  now, epoch ms
    ARGV[4]  code key
    ARGV[5]  event id
    ARGV[6]  event JSON
    ARGV[7]  event hour, epoch ms
    ARGV[8]  event day, epoch ms
    ARGV[9]  event channel ('' = null, '=' .. channel)
    ARGV[10] event amount ('' = null)

  Output:
    {'conflict'} | {'replay', record}
    {'rejected', 'NOT_FOUND' | 'VOIDED'}
    {'voided', at, codeKey, codeJson, voidedAt, redemptions, reserved}
]]
local rcall = redis.call

--- @include "includes/idempotency"
--- @include "includes/appendEvent"
--- @include "includes/liveHolds"

local codeKey = KEYS[1]
local codeHoldsKey = KEYS[2]
local idempotencyKey = KEYS[3]
local ledger = {events = KEYS[4], eventIds = KEYS[5], statsPrefix = KEYS[6], statDays = KEYS[7]}
local fingerprint = ARGV[1]
local now = ARGV[3]

local prior = checkIdempotency(idempotencyKey, fingerprint)
if prior then
  return prior
end

local code = rcall('HMGET', codeKey, 'c', 'vd', 'cu', 'em', 'n', 'd')
if not code[1] then
  return storeOutcome(idempotencyKey, fingerprint, ARGV[2], {'rejected', 'NOT_FOUND'})
end
if code[2] then
  return storeOutcome(idempotencyKey, fingerprint, ARGV[2], {'rejected', 'VOIDED'})
end

rcall('HSET', codeKey, 'vd', now)
local customer = code[3] or code[4]
appendEvent(ledger, {id = ARGV[5], body = ARGV[6], hour = ARGV[7], day = ARGV[8], type = 'voided', count = '1',
  reason = '', channel = ARGV[9], amount = ARGV[10],
  over = {'c', '=' .. code[1], 'u', customer and ('=' .. customer) or ''}})

return storeOutcome(idempotencyKey, fingerprint, ARGV[2],
  {'voided', now, ARGV[4], code[6], now, code[5], tostring(liveHolds(codeHoldsKey, tonumber(now)))})
