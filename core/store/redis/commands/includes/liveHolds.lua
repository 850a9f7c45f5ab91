-- Reservations in a holds zset (scored by holdUntil) that are live at `now`.
local function liveHolds(key, now)
  return rcall('ZCOUNT', key, '(' .. now, '+inf')
end
