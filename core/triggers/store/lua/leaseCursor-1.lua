--[[
  Takes a lifecycle cursor for a while, unless another holder's lease is still live.

  KEYS[1] cursor hash (cursor, token, until)

  ARGV[1] token of this holder
  ARGV[2] now (epoch ms)
  ARGV[3] lease (ms)

  Returns { '1', committed cursor or '' } when taken, { '0', '' } when another holder has it
]]
local rcall = redis.call
local key = KEYS[1]
local f = rcall('HMGET', key, 'cursor', 'token', 'until')
if f[2] and f[2] ~= '' and f[2] ~= ARGV[1] and tonumber(f[3] or '0') > tonumber(ARGV[2]) then
  return { '0', '' }
end
rcall('HSET', key, 'token', ARGV[1], 'until', string.format('%.0f', tonumber(ARGV[2]) + tonumber(ARGV[3])))
return { '1', f[1] or '' }
