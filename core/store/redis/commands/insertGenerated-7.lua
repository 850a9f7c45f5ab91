--[[
  Inserts a batch of generated codes while the issuance budget lasts, then appends one `generated`
  event counting them. The caller has claimed the free keys in the global index.

  Input:
    KEYS[1]  campaign hash
    KEYS[2]  prefix of the code hashes
    KEYS[3]  ledger stream
    KEYS[4]  ledger event ids
    KEYS[5]  prefix of the stats hashes
    KEYS[6]  stats days
    KEYS[7]  expiry zset (code key → expiresAt) of the campaign

    ARGV[1]  campaign version the engine used
    ARGV[2]  issuance limit ('' = none)
    ARGV[3]  event id
    ARGV[4]  event JSON
    ARGV[5]  event hour, epoch ms
    ARGV[6]  event day, epoch ms
    ARGV[7]  event channel ('' = null, '=' .. channel)
    ARGV[8]  event amount ('' = null)
    ARGV[9..] seven per candidate, in order: taken ('1' when claimed elsewhere), code key, code JSON,
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
local ledger = {events = KEYS[3], eventIds = KEYS[4], statsPrefix = KEYS[5], statDays = KEYS[6]}

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
for i = 9, #ARGV, 7 do
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
      rcall('ZADD', KEYS[7], ARGV[i + 4], ARGV[i + 1])
    end
    results[#results + 1] = 'i'
    inserted = inserted + 1
    room = room - 1
  end
end

if inserted > 0 then
  rcall('HINCRBY', campaignKey, 'issued', inserted)
  appendEvent(ledger, {id = ARGV[3], body = ARGV[4], hour = ARGV[5], day = ARGV[6], type = 'generated',
    count = tostring(inserted), reason = '', channel = ARGV[7], amount = ARGV[8]})
end

return {full and 'rejected' or 'inserted', table.concat(results)}
