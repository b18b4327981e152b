-- Removes and returns up to ARGV[2] timer keys due at or before ARGV[1] (epoch microseconds),
-- earliest first. Atomic: a key is handed to exactly one caller across all nodes.
-- KEYS[1] timers zset
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, key in ipairs(due) do
  redis.call('ZREM', KEYS[1], key)
end
return due
