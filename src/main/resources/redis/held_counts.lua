-- How many chats each operator holds: a flat list id1, n1, id2, n2, ...
-- KEYS[1] holders set   ARGV[1] key prefix
local out = {}
for _, op in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local n = redis.call('SCARD', ARGV[1] .. 'held:' .. op)
  if n > 0 then
    out[#out + 1] = op
    out[#out + 1] = n
  end
end
return out
