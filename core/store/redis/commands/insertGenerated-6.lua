--[[
  Inserts a batch of generated codes while the issuance budget lasts, then appends one `generated`
  event counting them. The caller has claimed the free keys in the global index.

  Input:
    KEYS[1]  campaign hash
    KEYS[2]  prefix of the code hashes
    KEYS[3]  expiry zset (code key -> expiresAt) of the campaign
    KEYS[4]  ledger stream
    KEYS[5]  prefix of the stats hashes
    KEYS[6]  stats days

    ARGV[1]  campaign version the engine used
    ARGV[2]  issuance limit ('' = none)
    ARGV[3..10] the event draft (see includes/appendEvent)
    ARGV[11..] seven per candidate, in order: taken ('1' when claimed elsewhere), code key, code JSON,
             code as shown, expiresAt, assigned customer id, assigned email ('' = none)

  Output:
    {'stale'}
    {'inserted' | 'rejected', results}: results has one letter per candidate: i inserted,
    d taken elsewhere, h already in this campaign, - not reached (the budget ran out first)
]]
local rcall = redis.call

--- @include "includes/appendEvent"
--- @include "includes/storeCode"

local campaignKey = KEYS[1]
local codePrefix = KEYS[2]
local ledger = {events = KEYS[4], statsPrefix = KEYS[5], statDays = KEYS[6]}

if rcall('HGET', campaignKey, 'v') ~= ARGV[1] then
  return {'stale'}
end

local room = math.huge
if ARGV[2] ~= '' then
  room = tonumber(ARGV[2]) - tonumber(rcall('HGET', campaignKey, 'issued') or '0')
end

local results = {}
local inserted = 0
local full = false
for i = 11, #ARGV, 7 do
  if room <= 0 then
    full = true
    break
  end
  local key = codePrefix .. ARGV[i + 1]
  if ARGV[i] == '1' then
    results[#results + 1] = 'd'
  elseif rcall('EXISTS', key) == 1 then
    results[#results + 1] = 'h'
  else
    storeCode(key, ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6])
    if ARGV[i + 4] ~= '' then
      rcall('ZADD', KEYS[3], ARGV[i + 4], ARGV[i + 1])
    end
    results[#results + 1] = 'i'
    inserted = inserted + 1
    room = room - 1
  end
end

if inserted > 0 then
  rcall('HINCRBY', campaignKey, 'issued', inserted)
  local event = draftAt(3)
  event.type = 'generated'
  event.count = tostring(inserted)
  appendEvent(ledger, event)
end

return {full and 'rejected' or 'inserted', table.concat(results)}
