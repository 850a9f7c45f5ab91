--[[
  Applies one cart event: activity (re)arms the abandonment deadline, checkout ends the cart.
  Older activity than already seen changes nothing; a cart that fired stays fired.

  KEYS[1] cart entry hash (st, v, act, due, p, ck, q, up)
  KEYS[2] cart due sorted set

  ARGV[1] cart id (member of the sorted set)
  ARGV[2] '1' for checkout, '0' for activity
  ARGV[3] event time (epoch ms)
  ARGV[4] deadline (epoch ms), or '' to keep the cart open but unarmed
  ARGV[5] cart snapshot (JSON)
  ARGV[6] customer key, or ''
  ARGV[7] quiet period (ms)
  ARGV[8] now (epoch ms)
  ARGV[9] retention (ms) of a finished or unarmed cart

  Returns { state, deadline or '', stale ('1' | '0') }
]]
local rcall = redis.call
local entry, due = KEYS[1], KEYS[2]
local cartId, at = ARGV[1], tonumber(ARGV[3])

local f = rcall('HMGET', entry, 'st', 'act', 'v', 'due')
local state = f[1]
local act = tonumber(f[2] or '0')
local version = tonumber(f[3] or '0') + 1

if ARGV[2] == '1' then
  local nextState = 'closed'
  if state == 'fired' or state == 'recovered' then nextState = 'recovered' end
  if not state then
    rcall('HSET', entry, 'st', nextState, 'v', version, 'act', ARGV[3], 'p', ARGV[5], 'ck', ARGV[6], 'q', ARGV[7], 'up', ARGV[8])
  else
    if at > act then act = at end
    rcall('HSET', entry, 'st', nextState, 'v', version, 'act', string.format('%.0f', act), 'up', ARGV[8])
    rcall('HDEL', entry, 'due')
  end
  rcall('ZREM', due, cartId)
  rcall('PEXPIRE', entry, ARGV[9])
  return { nextState, '', '0' }
end

if state and (at < act or (at == act and state ~= 'open')) then
  return { state, f[4] or '', '1' }
end
if state == 'fired' or state == 'recovered' then return { state, '', '0' } end

if ARGV[4] == '' then
  rcall('HSET', entry, 'st', 'open', 'v', version, 'act', ARGV[3], 'p', ARGV[5], 'ck', ARGV[6], 'q', ARGV[7], 'up', ARGV[8])
  rcall('HDEL', entry, 'due')
  rcall('ZREM', due, cartId)
  rcall('PEXPIRE', entry, ARGV[9])
else
  rcall('HSET', entry, 'st', 'open', 'v', version, 'act', ARGV[3], 'p', ARGV[5], 'ck', ARGV[6], 'q', ARGV[7], 'up', ARGV[8], 'due', ARGV[4])
  rcall('ZADD', due, ARGV[4], cartId)
  if state then rcall('PERSIST', entry) end
end
return { 'open', ARGV[4], '0' }
