--[[
  Read-only view for validate, for a batch of calls on one campaign: per call the code, the busiest
  customer key's (of the caller's keys and those of the customer the code was issued to) and the
  campaign's use (redemptions that stand plus live holds), and the campaign's version.

  One batch, not one call per script: validates that arrive together cost Redis one script call.

  Input:
    KEYS[1]  prefix of the code hashes
    KEYS[2]  prefix of the holds of one code
    KEYS[3]  campaign hash (v = version, used = redemptions that stand, hmax = latest holdUntil given)
    KEYS[4]  holds of the campaign
    KEYS[5]  customer usage hash
    KEYS[6]  prefix of the holds of one customer key
    ARGV     per call: now (epoch ms), code key, how many customer keys follow, the customer keys

  Output: one reply per call, in order:
    {codeJson ('' = no such code here), voidedAt, redemptions, then as integers reserved, customerUsed, campaignUsed,
     then the campaign version ('' = no such campaign)}
    {'error', message}  (that call failed; the others stand)
]]
local rcall = redis.call

--- @include "includes/liveHolds"
--- @include "includes/answerAlone"
--- @include "includes/ownerKeys"

local campaign = rcall('HMGET', KEYS[3], 'used', 'hmax', 'v')
local used = tonumber(campaign[1] or '0')
local hmax = tonumber(campaign[2] or '0')
local version = campaign[3] or ''

local function readOne(now, codeId, firstKey, lastKey)
  -- No hold of this campaign can be live after the latest holdUntil ever given (as in redeem): skip counting.
  local anyHold = hmax > tonumber(now)
  local code = rcall('HMGET', KEYS[1] .. codeId, 'd', 'vd', 'n', 'cu', 'em')
  local reserved = 0
  if code[1] and anyHold then
    reserved = liveHolds(KEYS[2] .. codeId, now)
  end
  -- the caller's keys and those of the customer the code was issued to, as redeem counts them
  local keys = {}
  for k = firstKey, lastKey do
    keys[#keys + 1] = ARGV[k]
  end
  if code[1] and (code[4] or code[5]) then
    addOwnerKeys(keys, 1, #keys, code[4], code[5])
  end
  local customerUsed = 0
  for _, key in ipairs(keys) do
    local n = tonumber(rcall('HGET', KEYS[5], key) or '0')
    if anyHold then
      n = n + liveHolds(KEYS[6] .. key, now)
    end
    if n > customerUsed then
      customerUsed = n
    end
  end
  local campaignUsed = used + (anyHold and liveHolds(KEYS[4], now) or 0)
  -- the counts as numbers: integer replies, which spares Lua formatting them with sprintf('%.14g')
  return {code[1] or '', code[2] or '', code[3] or '0', reserved, customerUsed, campaignUsed, version}
end

local replies = {}
local i = 1
while i <= #ARGV do
  local nKeys = tonumber(ARGV[i + 2])
  replies[#replies + 1] = answerAlone(readOne, ARGV[i], ARGV[i + 1], i + 3, i + 2 + nKeys)
  i = i + 3 + nKeys
end
return replies
