--[[
  Claims a webhook delivery until its expiry, so a replay of it is refused (even after a restart).

  KEYS[1] delivery marker (string holding its expiry, epoch ms)

  ARGV[1] now (epoch ms)
  ARGV[2] expiry (epoch ms)
  ARGV[3] time to live of the marker (ms, whole number ≥ 1)

  Returns 1 when claimed, 0 when the delivery is claimed already and its claim has not expired
]]
local rcall = redis.call
local markerKey = KEYS[1]

-- The caller's clock decides, as in SQLite; the key's own TTL only cleans up.
local heldUntil = tonumber(rcall('GET', markerKey) or '0') or 0
if heldUntil > tonumber(ARGV[1]) then return 0 end
rcall('SET', markerKey, ARGV[2], 'PX', ARGV[3])
return 1
