-- One call of a batch script, answered alone: a call that fails answers {'error', message} and the
-- calls before and after it stand.
local function answerAlone(fn, ...)
  local ok, reply = pcall(fn, ...)
  if ok then
    return reply
  end
  return {'error', type(reply) == 'table' and tostring(reply.err) or tostring(reply)}
end
