--[[
  Writes a new code hash:
    d   JSON of the fields that never change (code, customerId, email, channel, issuedAt, expiresAt, metadata),
        only those that differ from a plain code (codeArgs in codec.ts)
    c   the code as shown;  n  redemptions that stand
    x   expiresAt, cu  assigned customer id, em  assigned email (absent when null)
    vd  voidedAt (absent until voided)
]]
local function storeCode(key, json, display, expiresAt, customerId, email)
  local fields = {'d', json, 'c', display, 'n', '0'}
  if expiresAt ~= '' then
    fields[#fields + 1] = 'x'
    fields[#fields + 1] = expiresAt
  end
  if customerId ~= '' then
    fields[#fields + 1] = 'cu'
    fields[#fields + 1] = customerId
  end
  if email ~= '' then
    fields[#fields + 1] = 'em'
    fields[#fields + 1] = email
  end
  rcall('HSET', key, unpack(fields))
end
