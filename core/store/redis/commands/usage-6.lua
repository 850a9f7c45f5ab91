--[[
  Read-only view for validate: the code, the busiest customer key's and the campaign's use
  (redemptions that stand plus live holds).

  Input:
    KEYS[1]  code hash
    KEYS[2]  holds of the code
    KEYS[3]  campaign hash (used = redemptions that stand, hmax = latest holdUntil given)
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
local campaign = rcall('HMGET', KEYS[3], 'used', 'hmax')
-- No hold of this campaign can be live after the latest holdUntil ever given (as in redeem): skip counting.
local anyHold = tonumber(campaign[2] or '0') > tonumber(now)
local code = rcall('HMGET', KEYS[1], 'd', 'vd', 'n')
local reserved = 0
if code[1] and anyHold then
  reserved = liveHolds(KEYS[2], now)
end
local customerUsed = 0
for i = 2, #ARGV do
  local n = tonumber(rcall('HGET', KEYS[5], ARGV[i]) or '0')
  if anyHold then
    n = n + liveHolds(KEYS[6] .. ARGV[i], now)
  end
  if n > customerUsed then
    customerUsed = n
  end
end
local campaignUsed = tonumber(campaign[1] or '0') + (anyHold and liveHolds(KEYS[4], now) or 0)
return {code[1] or '', code[2] or '', code[3] or '0', tostring(reserved), tostring(customerUsed), tostring(campaignUsed)}
