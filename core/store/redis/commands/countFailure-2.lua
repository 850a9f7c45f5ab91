--[[
  Counts one failed attempt of an abuse key and blocks the key when the failures inside the window
  reach the threshold (unless it is blocked already). A new block clears the failures.

  Input:
    KEYS[1]  failures of the key (zset member -> at)
    KEYS[2]  end of the key's block, epoch ms

    ARGV[1]  now, epoch ms
    ARGV[2]  window, ms
    ARGV[3]  threshold
    ARGV[4]  cool-down, ms
    ARGV[5]  member for this failure (the rejection's event id)
    ARGV[6]  time to live of both keys, ms (clean-up only; the logic reads `now`)

  Output:
    the end of the new block, or 0 when the key was not blocked by this call
]]
local rcall = redis.call

local failuresKey = KEYS[1]
local untilKey = KEYS[2]
local now = tonumber(ARGV[1])

rcall('ZREMRANGEBYSCORE', failuresKey, '-inf', now - tonumber(ARGV[2]))
rcall('ZADD', failuresKey, now, ARGV[5])
rcall('PEXPIRE', failuresKey, ARGV[6])
if rcall('ZCARD', failuresKey) < tonumber(ARGV[3]) then
  return 0
end
local blocked = rcall('GET', untilKey)
if blocked and tonumber(blocked) > now then
  return 0
end
local blockedUntil = now + tonumber(ARGV[4])
rcall('SET', untilKey, string.format('%d', blockedUntil), 'PX', ARGV[6])
rcall('DEL', failuresKey)
return blockedUntil
