--[[
  Units (one per redemption or reservation) live as fields of their campaign's units hash, unitId ->
  a JSON array of strings:
    state ('held' | 'standing' | 'released' | 'rolled_back'), '1' when it began as a reservation (else ''),
    holdUntil ('' once it no longer holds), code key, code as shown, customer, order id, amount, channel,
    then the customer keys.
  One field per unit instead of one key: a busy campaign adds no key per redemption, and Redis writes a
  field faster than it creates a key.
]]

-- A new unit from a redeem call `a` (see redeem): its customer keys are a[firstKey .. lastKey].
local function packUnit(state, reserved, holdUntil, a, display, firstKey, lastKey)
  return cjson.encode({state, reserved, holdUntil, a[7], display, a[15], a[10], a[17], a[16],
    unpack(a, firstKey, lastKey)})
end
