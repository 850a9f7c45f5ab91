--[[
  Moves the expiry of codes that are not yet marked expired (a code still in the campaign's expiry zset),
  after the campaign's end moved. A code keeps its expiry in three places: the zset, its hash's `x` and
  its JSON `d` (see includes/storeCode), which every reader of the code decodes.

  Input:
    KEYS[1]  expiry zset (code key -> expiresAt) of the campaign
    KEYS[2]  prefix of the code hashes
    ARGV     two per code: code key, new expiresAt ('' = none)

  Output:
    how many codes changed
]]
local rcall = redis.call

-- `d` as Node wrote it (JSON.stringify of codeArgs in codec.ts): issuedAt first, so the top-level expiresAt
-- is the first `,"expiresAt":` (inside a string a quote is escaped, and metadata comes after it).
local function withExpiry(json, expiresAt)
  local from, to = string.find(json, ',"expiresAt":', 1, true)
  if not from then
    return json
  end
  local last = to
  while string.find(string.sub(json, last + 1, last + 1), '^[%d%.eE+-]$') do
    last = last + 1
  end
  if expiresAt == '' then
    return string.sub(json, 1, from - 1) .. string.sub(json, last + 1)
  end
  return string.sub(json, 1, to) .. expiresAt .. string.sub(json, last + 1)
end

local changed = 0
for i = 1, #ARGV, 2 do
  local codeId, expiresAt = ARGV[i], ARGV[i + 1]
  if rcall('ZSCORE', KEYS[1], codeId) then
    local codeKey = KEYS[2] .. codeId
    local json = rcall('HGET', codeKey, 'd')
    if json then
      rcall('HSET', codeKey, 'd', withExpiry(json, expiresAt))
      if expiresAt == '' then
        rcall('HDEL', codeKey, 'x')
        rcall('ZREM', KEYS[1], codeId)
      else
        rcall('HSET', codeKey, 'x', expiresAt)
        rcall('ZADD', KEYS[1], expiresAt, codeId)
      end
      changed = changed + 1
    end
  end
end
return changed
