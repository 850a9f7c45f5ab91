--[[
  Issues one code: campaign version, idempotency, issuance budget, then uniqueness.
  The caller has already claimed the code key in the global index (ARGV[5] says when that failed).

  Input:
    KEYS[1]  campaign hash (v = version, issued = codes issued or generated)
    KEYS[2]  code hash
    KEYS[3]  idempotency record
    KEYS[4]  expiry zset (code key -> expiresAt) of the campaign
    KEYS[5]  ledger stream
    KEYS[6]  prefix of the stats hashes
    KEYS[7]  stats days

    ARGV[1]  campaign version the engine used
    ARGV[2]  idempotency fingerprint ('' = none)
    ARGV[3]  idempotency ttl, ms
    ARGV[4]  issuance limit ('' = none)
    ARGV[5]  '1' when the code key is taken in another campaign
    ARGV[6]  code key
    ARGV[7]  code JSON (see includes/storeCode)
    ARGV[8]  code as shown
    ARGV[9]  expiresAt, epoch ms ('' = never)
    ARGV[10] customer id the code is assigned to ('' = none)
    ARGV[11] email the code is assigned to ('' = none)
    ARGV[12..19] the event draft (see includes/appendEvent)

  Output:
    {'stale'} | {'conflict'} | {'replay', record}
    {'duplicate', 'here' | 'elsewhere'}  (here: the code hash exists in this campaign)
    {'rejected', 'ISSUANCE_LIMIT_REACHED'}
    {'issued', codeKey, codeJson, eventId}
]]
local rcall = redis.call

--- @include "includes/idempotency"
--- @include "includes/appendEvent"
--- @include "includes/storeCode"

local campaignKey = KEYS[1]
local codeKey = KEYS[2]
local idempotencyKey = KEYS[3]
local ledger = {events = KEYS[5], statsPrefix = KEYS[6], statDays = KEYS[7]}
local fingerprint = ARGV[2]

if rcall('HGET', campaignKey, 'v') ~= ARGV[1] then
  return {'stale'}
end
local prior = checkIdempotency(idempotencyKey, fingerprint)
if prior then
  return prior
end

local event = draftAt(12)

if ARGV[4] ~= '' and tonumber(rcall('HGET', campaignKey, 'issued') or '0') >= tonumber(ARGV[4]) then
  event.type = 'rejected'
  event.reason = 'ISSUANCE_LIMIT_REACHED'
  event.code = ''
  appendEvent(ledger, event)
  return storeOutcome(idempotencyKey, fingerprint, ARGV[3], {'rejected', 'ISSUANCE_LIMIT_REACHED'})
end
if rcall('EXISTS', codeKey) == 1 then
  return {'duplicate', 'here'}
end
if ARGV[5] == '1' then
  return {'duplicate', 'elsewhere'}
end

storeCode(codeKey, ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11])
if ARGV[9] ~= '' then
  rcall('ZADD', KEYS[4], ARGV[9], ARGV[6])
end
rcall('HINCRBY', campaignKey, 'issued', 1)
event.type = 'issued'
event.code = '=' .. ARGV[8]
appendEvent(ledger, event)

return storeOutcome(idempotencyKey, fingerprint, ARGV[3], {'issued', ARGV[6], ARGV[7], event.id})
