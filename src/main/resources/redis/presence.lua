-- Marks that a node holds (or no longer holds) console sockets of an operator.
-- KEYS[1] presence:{op}:{node} string   KEYS[2] nodes:{op} set   KEYS[3] operators set
-- ARGV[1] operator id   ARGV[2] node id   ARGV[3] '1' connected / '0' not   ARGV[4] TTL millis
if ARGV[3] == '1' then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[4])
  redis.call('SADD', KEYS[2], ARGV[2])
  redis.call('SADD', KEYS[3], ARGV[1])
else
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[2])
  if redis.call('SCARD', KEYS[2]) == 0 then
    redis.call('SREM', KEYS[3], ARGV[1])
  end
end
return 1
