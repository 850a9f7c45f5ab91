--[[
  Read-only view for validate: the code, the busiest customer key's and the campaign's use
  (redemptions that stand plus live holds).

  Input:
    KEYS[1]  code hash
    KEYS[2]  holds of the code
    KEYS[3]  campaign hash
    KEYS[4]  holds of the campaign
    KEYS[5]  customer usage hash
    KEYS[6]  prefix of the holds of one customer key
    ARGV[1]  now, epoch ms
    ARGV[2..] customer keys

  Output:
    {codeJson ('' = no such code here), voidedAt, redemptions, reserved, customerUsed, campaignUsed}
]]
local rcall = redis.call

--- @include "includes/liveHolds"

local now = ARGV[1]
local code = rcall('HMGET', KEYS[1], 'd', 'vd', 'n')
local reserved = 0
if code[1] then
  reserved = liveHolds(KEYS[2], now)
end
local customerUsed = 0
for i = 2, #ARGV do
  local n = tonumber(rcall('HGET', KEYS[5], ARGV[i]) or '0') + liveHolds(KEYS[6] .. ARGV[i], now)
  if n > customerUsed then
    customerUsed = n
  end
end
local campaignUsed = tonumber(rcall('HGET', KEYS[3], 'used') or '0') + liveHolds(KEYS[4], now)
return {code[1] or '', code[2] or '', code[3] or '0', tostring(reserved), tostring(customerUsed), tostring(campaignUsed)}
