--[[
  Marks one code expired, once: drops it from the campaign's expiry zset and, when it was neither voided
  nor used up, appends its `expired` event.

  Input:
    KEYS[1]  code hash
    KEYS[2]  expiry zset (code key -> expiresAt) of the campaign
    KEYS[3]  ledger stream
    KEYS[4]  prefix of the stats hashes
    KEYS[5]  stats days

    ARGV[1]  code key (the member of the expiry zset)
    ARGV[2]  redemptions per code of the campaign
    ARGV[3..13] the event (see includes/appendEvent)

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
appendEvent({events = KEYS[3], statsPrefix = KEYS[4], statDays = KEYS[5]}, eventAt(3))
return 1
