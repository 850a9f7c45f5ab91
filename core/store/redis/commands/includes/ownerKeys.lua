--[[
  A use of a code counts under the caller's customer keys and under those of the customer the code was
  issued to, named as customerKeys in customers.ts names them: by id once and by email once is still one
  customer.
]]

-- Appends to list[first..last] the owner's keys not already there; returns the new last index and the
-- keys it appended.
local function addOwnerKeys(list, first, last, ownerId, ownerEmail)
  local added, own = {}, {}
  if ownerId then
    own[#own + 1] = 'id:' .. ownerId
  end
  if ownerEmail then
    own[#own + 1] = 'email:' .. ownerEmail
  end
  for _, key in ipairs(own) do
    local present = false
    for i = first, last do
      if list[i] == key then
        present = true
        break
      end
    end
    if not present then
      last = last + 1
      list[last] = key
      added[#added + 1] = key
    end
  end
  return last, added
end
