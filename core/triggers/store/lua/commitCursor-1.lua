--[[
  Moves a lifecycle cursor and ends the lease, only while the caller still holds the lease.

  KEYS[1] cursor hash (cursor, token, until)

  ARGV[1] token of the holder
  ARGV[2] new cursor

  Returns 1 when moved, 0 when the lease was lost
]]
local rcall = redis.call
local key = KEYS[1]
if rcall('HGET', key, 'token') ~= ARGV[1] then return 0 end
rcall('HSET', key, 'cursor', ARGV[2], 'token', '', 'until', '0')
return 1
