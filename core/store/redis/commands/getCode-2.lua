--[[
  Reads a code and its live holds in one step.

  Input:
    KEYS[1]  code hash
    KEYS[2]  holds of the code
    ARGV[1]  now, epoch ms

  Output:
    nil when the code does not exist, else {codeJson, voidedAt ('' = null), redemptions, reserved (integer)}
]]
local rcall = redis.call

--- @include "includes/liveHolds"

local code = rcall('HMGET', KEYS[1], 'd', 'vd', 'n')
if not code[1] then
  return nil
end
-- reserved as a number: an integer reply, which spares Lua formatting it
return {code[1], code[2] or '', code[3], liveHolds(KEYS[2], ARGV[1])}
