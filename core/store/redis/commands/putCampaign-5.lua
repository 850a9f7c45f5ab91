--[[
  Inserts a campaign (expected version '') or updates it when the stored version is the expected one,
  and appends the event the engine gave.

  Input:
    KEYS[1]  campaign hash (json, v = version)
    KEYS[2]  ledger stream
    KEYS[3]  ledger event ids
    KEYS[4]  prefix of the stats hashes
    KEYS[5]  stats days

    ARGV[1]  expected version ('' = insert)
    ARGV[2]  new version
    ARGV[3]  campaign JSON
    ARGV[4..14] the event (see includes/appendEvent)

  Output:
    'ok' | 'exists' | 'conflict'
]]
local rcall = redis.call

--- @include "includes/appendEvent"

local campaignKey = KEYS[1]
local ledger = {events = KEYS[2], eventIds = KEYS[3], statsPrefix = KEYS[4], statDays = KEYS[5]}

local version = rcall('HGET', campaignKey, 'v')
if ARGV[1] == '' then
  if version then
    return 'exists'
  end
elseif version ~= ARGV[1] then
  return 'conflict'
end

rcall('HSET', campaignKey, 'v', ARGV[2], 'json', ARGV[3])
appendEvent(ledger, eventAt(4))
return 'ok'
