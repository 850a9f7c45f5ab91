--[[
  Records an order once per scope: counts the customer's purchase and ends the cart it checked out.

  KEYS[1] order marker (string, holds the purchase number the order got)
  KEYS[2] customer hash (field n = purchases)
  KEYS[3] cart entry hash
  KEYS[4] cart due sorted set

  ARGV[1] '1' when the order has a customer, else '0'
  ARGV[2] cart id, or '' when the order names no cart
  ARGV[3] order time (epoch ms)
  ARGV[4] now (epoch ms)
  ARGV[5] retention (ms) of the order marker and of a finished cart

  Returns { duplicate ('1' | '0'), purchase number or '', cart outcome ('closed' | 'recovered' | 'none') }
]]
local rcall = redis.call
local orderKey, customerKey, cartKey, dueKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]

local prior = rcall('GET', orderKey)
if prior then return { '1', prior, 'none' } end

local count = ''
if ARGV[1] == '1' then count = tostring(rcall('HINCRBY', customerKey, 'n', 1)) end
rcall('SET', orderKey, count, 'PX', ARGV[5])

local outcome = 'none'
if ARGV[2] ~= '' then
  local state = rcall('HGET', cartKey, 'st')
  local nextState = 'closed'
  if state == 'open' then outcome = 'closed' end
  if state == 'fired' then outcome = 'recovered' end
  if state == 'fired' or state == 'recovered' then nextState = 'recovered' end
  local act = tonumber(rcall('HGET', cartKey, 'act') or '0')
  if not state then
    -- a tombstone, so cart activity delivered after the order cannot re-arm the cart
    rcall('HSET', cartKey, 'v', 1, 'p', '{}', 'ck', '', 'q', 0)
  else
    rcall('HINCRBY', cartKey, 'v', 1)
  end
  rcall('HSET', cartKey, 'st', nextState, 'up', ARGV[4])
  if tonumber(ARGV[3]) > act then rcall('HSET', cartKey, 'act', ARGV[3]) end
  rcall('HDEL', cartKey, 'due')
  rcall('ZREM', dueKey, ARGV[2])
  rcall('PEXPIRE', cartKey, ARGV[5])
end
return { '0', count, outcome }
