--[[
  Ends a lease without moving the cursor (delivery failed: the same events come again).

  KEYS[1] cursor hash (cursor, token, until)

  ARGV[1] token of the holder

  Returns 1 when released, 0 when the caller did not hold it
]]
local rcall = redis.call
local key = KEYS[1]
if rcall('HGET', key, 'token') ~= ARGV[1] then return 0 end
rcall('HSET', key, 'token', '', 'until', '0')
return 1
