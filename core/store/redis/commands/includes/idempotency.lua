--[[
  Idempotency records: a JSON array of strings, the fingerprint first, then the outcome tuple the
  script returned the first time. Kept for `ttl` ms (7 days, see index.ts).
  A fingerprint of '' means the call carries no idempotency key.
]]

-- nil when the call may proceed; else the reply: {'conflict'} or {'replay', record}.
local function checkIdempotency(key, fingerprint)
  if fingerprint == '' then
    return nil
  end
  local record = rcall('GET', key)
  if not record then
    return nil
  end
  if cjson.decode(record)[1] ~= fingerprint then
    return {'conflict'}
  end
  return {'replay', record}
end

-- Stores the outcome tuple (strings only) and returns it.
local function storeOutcome(key, fingerprint, ttl, outcome)
  if fingerprint ~= '' then
    local record = {fingerprint}
    for i = 1, #outcome do
      record[i + 1] = outcome[i]
    end
    rcall('SET', key, cjson.encode(record), 'PX', ttl)
  end
  return outcome
end
