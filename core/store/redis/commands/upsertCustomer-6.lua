--[[
  Writes a merged customer profile when its stored version is still the one the merge started
  from, keeps the email index, and appends the event when it belongs to this slot.

  Input:
    KEYS[1]  customer hash (j = profile JSON, v = version)
    KEYS[2]  prefix of the email index (zset customerId -> updatedAt per email)
    KEYS[3]  ledger stream
    KEYS[4]  ledger event ids
    KEYS[5]  prefix of the stats hashes
    KEYS[6]  stats days

    ARGV[1]  version the merge started from ('0' = new customer)
    ARGV[2]  profile JSON
    ARGV[3]  customer id
    ARGV[4]  email after the merge ('' = none)
    ARGV[5]  email before ('' = none)
    ARGV[6]  updatedAt, epoch ms
    ARGV[7..17] the event (see includes/appendEvent), or nothing

  Output:
    'ok' | 'retry' (the profile changed meanwhile)
]]
local rcall = redis.call

--- @include "includes/appendEvent"

local customerKey = KEYS[1]
local emailPrefix = KEYS[2]
local ledger = {events = KEYS[3], eventIds = KEYS[4], statsPrefix = KEYS[5], statDays = KEYS[6]}
local id = ARGV[3]
local email = ARGV[4]
local before = ARGV[5]

if (rcall('HGET', customerKey, 'v') or '0') ~= ARGV[1] then
  return 'retry'
end
rcall('HSET', customerKey, 'j', ARGV[2], 'v', tostring(tonumber(ARGV[1]) + 1))
if before ~= '' and before ~= email then
  rcall('ZREM', emailPrefix .. before, id)
end
if email ~= '' then
  rcall('ZADD', emailPrefix .. email, ARGV[6], id)
end
if #ARGV >= 17 then
  appendEvent(ledger, eventAt(7))
end
return 'ok'
