--[[
  Records a refusal of a call that carries an idempotency key, as the other scripts keep their outcomes:
  the record and the `rejected` event together, or, when the key already holds a record, nothing.

  Input:
    KEYS[1]  the call's idempotency record
    KEYS[2]  ledger stream
    KEYS[3]  ledger event ids
    KEYS[4]  prefix of the stats hashes
    KEYS[5]  stats days

    ARGV[1]  the record to keep (see includes/idempotency: fingerprint, then the outcome tuple)
    ARGV[2]  how long to keep it, ms
    ARGV[3..13]  the `rejected` event (see includes/appendEvent)

  Output:
    {'written'} | {'prior', record}
]]
local rcall = redis.call

--- @include "includes/appendEvent"

local prior = rcall('GET', KEYS[1])
if prior then
  return {'prior', prior}
end
rcall('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
appendEvent({events = KEYS[2], eventIds = KEYS[3], statsPrefix = KEYS[4], statDays = KEYS[5]}, eventAt(3))
return {'written'}
