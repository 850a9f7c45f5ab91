--[[
  Units (one per redemption or reservation) live as fields of their campaign's units hash, unitId ->
  a JSON array of strings:
    state ('held' | 'standing' | 'released' | 'rolled_back'), '1' when it began as a reservation (else ''),
    holdUntil ('' once it no longer holds), code key, code as shown ('' when the unit was packed by Node,
    which had not read the code: take it from the code hash, where it never changes), customer, order id,
    amount, channel, then the customer keys.
  One field per unit instead of one key: a busy campaign adds no key per redemption, and Redis writes a
  field faster than it creates a key. A new unit is packed by Node (batcher.ts) and stored as it is.
]]

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
