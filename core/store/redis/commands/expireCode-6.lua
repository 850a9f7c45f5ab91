--[[
  Marks one code expired, once: drops it from the campaign's expiry zset and, when it was neither voided
  nor used up, appends its `expired` event.

  Input:
    KEYS[1]  code hash
    KEYS[2]  expiry zset (code key → expiresAt) of the campaign
    KEYS[3]  ledger stream
    KEYS[4]  ledger event ids
    KEYS[5]  prefix of the stats hashes
    KEYS[6]  stats days

    ARGV[1]  code key (the member of the expiry zset)
    ARGV[2]  redemptions per code of the campaign
    ARGV[3..11] the event: id, JSON, hour, day, type, count, reason ('' = none), amount ('' = null),
             channel ('' = null, '=' .. channel)

  Output:
    1 when the event was appended, 0 when the code was already marked, voided or used up
]]
local rcall = redis.call

--- @include "includes/appendEvent"

if rcall('ZREM', KEYS[2], ARGV[1]) == 0 then
  return 0
end
local state = rcall('HMGET', KEYS[1], 'vd', 'n')
if state[1] or tonumber(state[2] or '0') >= tonumber(ARGV[2]) then
  return 0
end
local ledger = {events = KEYS[3], eventIds = KEYS[4], statsPrefix = KEYS[5], statDays = KEYS[6]}
appendEvent(ledger, {id = ARGV[3], body = ARGV[4], hour = ARGV[5], day = ARGV[6], type = ARGV[7], count = ARGV[8],
  reason = ARGV[9], amount = ARGV[10], channel = ARGV[11]})
return 1
