--[[
  Writes the next occurrence of a recurring entry, compare-and-set on its version.

  KEYS[1] entry hash (st, v, due, occ, lf, p, up)
  KEYS[2] due sorted set of its kind

  ARGV[1] entry key (member of the sorted set)
  ARGV[2] expected version, or '' to create the entry only when it does not exist
  ARGV[3] next due time (epoch ms), or '' when there is no next occurrence
  ARGV[4] next occurrence, or ''
  ARGV[5] payload (JSON definition)
  ARGV[6] now (epoch ms)

  Returns 1 when written, 0 when the version did not match
]]
local rcall = redis.call
local entry, due = KEYS[1], KEYS[2]

local version = rcall('HGET', entry, 'v')
if ARGV[2] == '' then
  if version then return 0 end
elseif version ~= ARGV[2] then
  return 0
end

local nextVersion = 1
if version then nextVersion = tonumber(version) + 1 end
local state = 'armed'
if ARGV[3] == '' then state = 'done' end
rcall('HSET', entry, 'st', state, 'v', string.format('%.0f', nextVersion), 'occ', ARGV[4], 'p', ARGV[5], 'up', ARGV[6])
if ARGV[3] == '' then
  rcall('HDEL', entry, 'due')
  rcall('ZREM', due, ARGV[1])
else
  rcall('HSET', entry, 'due', ARGV[3])
  rcall('ZADD', due, ARGV[3], ARGV[1])
end
return 1
