--[[
  Voids a code.

  Input:
    KEYS[1]  code hash
    KEYS[2]  holds of the code
    KEYS[3]  idempotency record
    KEYS[4]  ledger stream
    KEYS[5]  prefix of the stats hashes
    KEYS[6]  stats days

    ARGV[1]  idempotency fingerprint ('' = none)
    ARGV[2]  idempotency ttl, ms
    ARGV[3]  now, epoch ms
    ARGV[4]  code key
    ARGV[5..12] the event draft (see includes/appendEvent)

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
local ledger = {events = KEYS[4], statsPrefix = KEYS[5], statDays = KEYS[6]}
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
local event = draftAt(5)
event.type = 'voided'
event.code = '=' .. code[1]
event.customer = customer and ('=' .. customer) or ''
appendEvent(ledger, event)

return storeOutcome(idempotencyKey, fingerprint, ARGV[2],
  {'voided', now, ARGV[4], code[6], now, code[5], tostring(liveHolds(codeHoldsKey, tonumber(now)))})
