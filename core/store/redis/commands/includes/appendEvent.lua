--[[
  Ledger events: appended to the stream of a slot and counted in that slot's hour buckets.

  A slot's ledger (table `ledger`):
    events      stream, one entry per event
    eventIds    set of event ids in the stream; given only where an id may come twice (plain appends)
    statsPrefix prefix of the per-day stats hashes (`statsPrefix .. day`)
    statDays    zset of the days that have a stats hash

  An event (table `e`, all strings): id, at (epoch ms), campaign, code, customer, channel (nullable:
  '' = null, '=' .. value), amount ('' = null), data (JSON, '' = {}), type, count, reason ('' = none),
  extra (optional flat list of stream fields the reader merges into data).
  Stream fields: i, at, t, k, c, u, ch, n, a, r, d, then the extras. The redeem script writes its events
  as t, c, e, then a or r, then o and h where there are: `e` holds id, at, campaign, customer, channel
  and data as Node packed them, and the count is 1. `decodeEvent` (codec.ts) reads both.
]]

-- A draft from the eight arguments starting at ARGV[i].
local function draftAt(i)
  return {id = ARGV[i], at = ARGV[i + 1], campaign = ARGV[i + 2], code = ARGV[i + 3], customer = ARGV[i + 4],
    channel = ARGV[i + 5], amount = ARGV[i + 6], data = ARGV[i + 7], count = '1', reason = ''}
end

-- A complete event from the eleven arguments starting at ARGV[i] (draft, type, count, reason).
local function eventAt(i)
  local e = draftAt(i)
  e.type, e.count, e.reason = ARGV[i + 8], ARGV[i + 9], ARGV[i + 10]
  return e
end

-- Every digit of a double. A plain zero, the sum of events without an amount, skips sprintf's slow path.
local function formatNumber(x)
  if x == 0 and 1 / x > 0 then
    return '0'
  end
  return string.format('%.17g', x)
end

--[[
  Bucket field `<hourMs>|<type>|<channel>`, value `count|sum|compensation`. Amounts are summed with
  Kahan-Babuska-Neumaier compensation (as SQLite's SUM does); the reader adds sum and compensation.
]]
local function statsBucket(ledger, e)
  local at = tonumber(e.at)
  local day = string.format('%d', at - at % 86400000)
  return ledger.statsPrefix .. day, day, string.format('%d', at - at % 3600000) .. '|' .. e.type .. '|' .. e.channel
end

-- A bucket as numbers {n, sum, err, isNew} from its stored value (nil when the bucket is new).
local function parseBucket(current)
  if not current then
    return {0, 0, 0, true}
  end
  local a, b, c = string.match(current, '^([^|]*)|([^|]*)|(.*)$')
  return {tonumber(a), tonumber(b), tonumber(c), false}
end

-- `n` events (a number) of `amount` in all ('' = none) into a bucket.
local function addToBucket(bucket, n, amount)
  bucket[1] = bucket[1] + n
  if amount ~= '' then
    local sum, r = bucket[2], tonumber(amount)
    local t = sum + r
    if math.abs(sum) > math.abs(r) then
      bucket[3] = bucket[3] + ((sum - t) + r)
    else
      bucket[3] = bucket[3] + ((r - t) + sum)
    end
    bucket[2] = t
  end
end

local function writeBucket(ledger, key, day, field, bucket)
  if bucket[4] then
    rcall('ZADD', ledger.statDays, day, day)
  end
  rcall('HSET', key, field, string.format('%d', bucket[1]) .. '|' .. formatNumber(bucket[2]) .. '|' .. formatNumber(bucket[3]))
end

local function addToStats(ledger, e)
  local key, day, field = statsBucket(ledger, e)
  local bucket = parseBucket(rcall('HGET', key, field))
  addToBucket(bucket, tonumber(e.count), e.amount)
  writeBucket(ledger, key, day, field, bucket)
end

-- Stream ids are the server time in microseconds, so events of different slots merge in append order.
-- `at` is that time as digits when the caller has read it already; `n` how many of `fields` to take
-- (all when nil), so that a caller may refill one table for each event.
local function addLedgerEntry(stream, fields, at, n)
  if not at then
    local t = rcall('TIME')
    at = t[1] .. string.format('%06d', t[2])
  end
  n = n or #fields
  local added = redis.pcall('XADD', stream, at .. '-*', unpack(fields, 1, n))
  if type(added) == 'table' and added.err then
    -- the clock stepped back: continue right after the newest entry
    local last = rcall('XREVRANGE', stream, '+', '-', 'COUNT', 1)[1][1]
    rcall('XADD', stream, string.sub(last, 1, string.find(last, '-', 1, true) - 1) .. '-*', unpack(fields, 1, n))
  end
end

-- true when appended, false when the id was already there (nothing written)
local function appendEvent(ledger, e)
  if ledger.eventIds and rcall('SADD', ledger.eventIds, e.id) == 0 then
    return false
  end
  local fields = {'i', e.id, 'at', e.at, 't', e.type, 'k', e.campaign, 'c', e.code, 'u', e.customer,
    'ch', e.channel, 'n', e.count, 'a', e.amount, 'r', e.reason, 'd', e.data}
  if e.extra then
    for i = 1, #e.extra do
      fields[#fields + 1] = e.extra[i]
    end
  end
  addLedgerEntry(ledger.events, fields)
  addToStats(ledger, e)
  return true
end
