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

-- A stored unit: the decoded array, state, '1' if it began as a reservation, holdUntil (false when it
-- holds nothing), then what commit, release and rollback need (code key, code, …, the customer keys).
local function readUnit(record)
  local u = cjson.decode(record)
  return u, u[1], u[2], u[3] ~= '' and u[3], {unpack(u, 4)}
end

-- The unit `u` in a new state, encoded; a unit that stands holds nothing any more.
local function unitInState(u, state)
  u[1] = state
  if state == 'standing' then
    u[3] = ''
  end
  return cjson.encode(u)
end
