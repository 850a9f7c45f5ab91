--[[
  Appends complete events (no state change); an id already in the stream is skipped.

  Input:
    KEYS[1]  ledger stream
    KEYS[2]  ledger event ids
    KEYS[3]  prefix of the stats hashes
    KEYS[4]  stats days

    ARGV     eleven per event (see includes/appendEvent)

  Output:
    the number of events appended
]]
local rcall = redis.call

--- @include "includes/appendEvent"

local ledger = {events = KEYS[1], eventIds = KEYS[2], statsPrefix = KEYS[3], statDays = KEYS[4]}
local appended = 0
for i = 1, #ARGV, 11 do
  if appendEvent(ledger, eventAt(i)) then
    appended = appended + 1
  end
end
return appended
