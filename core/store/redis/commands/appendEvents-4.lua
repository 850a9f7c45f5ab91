--[[
  Appends complete events (no state change); an id already in the stream is skipped.

  Input:
    KEYS[1]  ledger stream
    KEYS[2]  ledger event ids
    KEYS[3]  prefix of the stats hashes
    KEYS[4]  stats days

    ARGV     nine per event: id, JSON, hour, day, type, count, reason ('' = none),
             amount ('' = null), channel ('' = null, '=' .. channel)

  Output:
    the number of events appended
]]
local rcall = redis.call

--- @include "includes/appendEvent"

local ledger = {events = KEYS[1], eventIds = KEYS[2], statsPrefix = KEYS[3], statDays = KEYS[4]}
local appended = 0
for i = 1, #ARGV, 9 do
  if appendEvent(ledger, {id = ARGV[i], body = ARGV[i + 1], hour = ARGV[i + 2], day = ARGV[i + 3],
    type = ARGV[i + 4], count = ARGV[i + 5], reason = ARGV[i + 6], amount = ARGV[i + 7], channel = ARGV[i + 8]}) then
    appended = appended + 1
  end
end
return appended
