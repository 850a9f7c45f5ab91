--[[
  Appends one ledger event to the stream of a slot and counts it in that slot's hour buckets.

  Input (table `ledger`, the keys of the slot):
    events      stream, one entry per event
    eventIds    set of event ids already in the stream
    statsPrefix prefix of the per-day stats hashes (`statsPrefix .. day`)
    statDays    zset of the days that have a stats hash
  Input (table `e`, all strings):
    id, body    event id and the JSON of the event as the engine gave it
    hour, day   start of the event's UTC hour and day, epoch ms
    type, count, reason ('' = none)
    amount      the amount the event carries ('' = null), after overrides
    channel     the channel the event carries ('' = null, '=' .. name), after overrides
    over        optional flat list of extra stream fields that override the body when read
  Output:
    true when appended, false when the id was already there (nothing written)
]]

-- Stream ids are the server time in microseconds, so events of different slots merge in append order.
local function addLedgerEntry(stream, fields)
  local t = rcall('TIME')
  local added = redis.pcall('XADD', stream, t[1] .. string.format('%06d', t[2]) .. '-*', unpack(fields))
  if type(added) == 'table' and added.err then
    -- the clock stepped back: continue right after the newest entry
    local last = rcall('XREVRANGE', stream, '+', '-', 'COUNT', 1)[1][1]
    rcall('XADD', stream, string.sub(last, 1, string.find(last, '-', 1, true) - 1) .. '-*', unpack(fields))
  end
end

local function formatNumber(x)
  return string.format('%.17g', x)
end

--[[
  Bucket value: `count|sum|compensation`. Amounts are summed with Kahan-Babuska-Neumaier
  compensation (as SQLite's SUM does), the reader adds sum and compensation.
]]
local function addToStats(ledger, e)
  local key = ledger.statsPrefix .. e.day
  local field = e.hour .. '|' .. e.type .. '|' .. e.channel
  local current = rcall('HGET', key, field)
  local n, sum, err = 0, 0, 0
  if current then
    local a, b, c = string.match(current, '^([^|]*)|([^|]*)|(.*)$')
    n, sum, err = tonumber(a), tonumber(b), tonumber(c)
  else
    rcall('ZADD', ledger.statDays, e.day, e.day)
  end
  n = n + tonumber(e.count)
  if e.amount ~= '' then
    local r = tonumber(e.amount)
    local t = sum + r
    if math.abs(sum) > math.abs(r) then
      err = err + ((sum - t) + r)
    else
      err = err + ((r - t) + sum)
    end
    sum = t
  end
  rcall('HSET', key, field, formatNumber(n) .. '|' .. formatNumber(sum) .. '|' .. formatNumber(err))
end

local function appendEvent(ledger, e)
  if rcall('SADD', ledger.eventIds, e.id) == 0 then
    return false
  end
  local fields = {'e', e.body, 't', e.type, 'n', e.count}
  if e.reason ~= '' then
    fields[#fields + 1] = 'r'
    fields[#fields + 1] = e.reason
  end
  if e.over then
    for i = 1, #e.over do
      fields[#fields + 1] = e.over[i]
    end
  end
  addLedgerEntry(ledger.events, fields)
  addToStats(ledger, e)
  return true
end
