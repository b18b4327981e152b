-- Operators with at least one live presence key, each with their chosen queues (JSON or false).
-- Prunes index entries whose presence key expired (a node died without saying goodbye).
-- KEYS[1] operators set   ARGV[1] key prefix
-- Returns a flat list op1, chosen1, op2, chosen2, ...
local prefix = ARGV[1]
local out = {}
for _, op in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local nodesKey = prefix .. 'nodes:' .. op
  local alive = false
  for _, node in ipairs(redis.call('SMEMBERS', nodesKey)) do
    if redis.call('EXISTS', prefix .. 'presence:' .. op .. ':' .. node) == 1 then
      alive = true
    else
      redis.call('SREM', nodesKey, node)
    end
  end
  if alive then
    out[#out + 1] = op
    out[#out + 1] = redis.call('GET', prefix .. 'chosen:' .. op) or ''
  elseif redis.call('SCARD', nodesKey) == 0 then
    redis.call('SREM', KEYS[1], op)
  end
end
return out
