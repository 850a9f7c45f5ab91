--[[
  Claims due entries, oldest first, so that each is handed to exactly one caller.
  Cart: becomes 'fired' (or 'suppressed' inside its customer's quiet period, which a firing starts).
  Recurring (calendar, birthday, renewal): 'armed' becomes 'claimed' with the occurrence recorded as
  fired and a lease; a 'claimed' entry whose lease ran out (its claimer died) is handed back for
  rescheduling only. The caller writes the next occurrence with putSchedule.

  KEYS[1] due sorted set of carts
  KEYS[2] due sorted set of calendars
  KEYS[3] due sorted set of birthdays
  KEYS[4] due sorted set of renewals

  ARGV[1] now (epoch ms)
  ARGV[2] most entries to claim
  ARGV[3] lease (ms)
  ARGV[4] worker id
  ARGV[5] entry key prefix (… 'e:'), followed by '<kind>:<key>'
  ARGV[6] customer key prefix (… 'c:'), followed by the customer key
  ARGV[7] retention (ms) of a finished cart
  ARGV[8] four flags '1' / '0': which of the sorted sets to claim from

  Returns a flat list, 7 values per entry: kind, key, fire ('1' | '0'), due at, occurrence, new version, payload
]]
local rcall = redis.call
local kinds = { 'cart', 'calendar', 'birthday', 'renewal' }
local now, limit, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local function s(n) return string.format('%.0f', n) end

local candidates = {}
for i = 1, 4 do
  if string.sub(ARGV[8], i, i) == '1' then
    local r = rcall('ZRANGEBYSCORE', KEYS[i], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, limit)
    for j = 1, #r, 2 do candidates[#candidates + 1] = { i, r[j], tonumber(r[j + 1]) } end
  end
end
table.sort(candidates, function(a, b)
  if a[3] ~= b[3] then return a[3] < b[3] end
  if a[1] ~= b[1] then return a[1] < b[1] end
  return a[2] < b[2]
end)

local out = {}
for c = 1, math.min(#candidates, limit) do
  local i, key, score = candidates[c][1], candidates[c][2], candidates[c][3]
  local kind = kinds[i]
  local entry = ARGV[5] .. kind .. ':' .. key
  local f = rcall('HMGET', entry, 'st', 'v', 'occ', 'ck', 'q', 'p')
  local state = f[1]
  if not state or (kind == 'cart' and state ~= 'open') then
    -- an index entry left behind by an expired or finished entry
    rcall('ZREM', KEYS[i], key)
  else
    local version = tonumber(f[2] or '0') + 1
    local fire = '1'
    if kind == 'cart' then
      local ck = f[4]
      if ck and ck ~= '' then
        local customer = ARGV[6] .. ck
        local quietUntil = tonumber(rcall('HGET', customer, 'q') or '0')
        local quiet = tonumber(f[5] or '0')
        if quietUntil > now then
          fire = '0'
        elseif quiet > 0 then
          rcall('HSET', customer, 'q', s(now + quiet))
        end
      end
      local nextState = 'fired'
      if fire == '0' then nextState = 'suppressed' end
      rcall('HSET', entry, 'st', nextState, 'v', s(version), 'by', ARGV[4], 'up', ARGV[1])
      rcall('HDEL', entry, 'due')
      rcall('ZREM', KEYS[i], key)
      rcall('PEXPIRE', entry, ARGV[7])
    else
      local leaseUntil = s(now + lease)
      if state == 'armed' then
        rcall('HSET', entry, 'st', 'claimed', 'lf', f[3] or '', 'v', s(version), 'by', ARGV[4], 'due', leaseUntil, 'up', ARGV[1])
      else
        fire = '0'
        rcall('HSET', entry, 'v', s(version), 'due', leaseUntil, 'up', ARGV[1])
      end
      rcall('ZADD', KEYS[i], leaseUntil, key)
    end
    out[#out + 1] = kind
    out[#out + 1] = key
    out[#out + 1] = fire
    out[#out + 1] = s(score)
    out[#out + 1] = f[3] or ''
    out[#out + 1] = s(version)
    out[#out + 1] = f[6] or ''
  end
end
return out
