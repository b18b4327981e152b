-- Removes and returns up to ARGV[2] timer keys due at or before ARGV[1] (epoch microseconds),
-- earliest first. Atomic: a key is handed to exactly one caller across all nodes.
-- The caller may stop waiting for the answer while this call is still to run (a frozen Redis
-- runs it when it wakes), so what it takes is also kept under KEYS[2], named for this one call,
-- for ARGV[3] ms, where that caller finds it; and a caller that gave up first has set KEYS[2]
-- (empty), so the late call claims nothing. Nothing is kept when nothing was due.
-- KEYS[1] timers zset   KEYS[2] claim:{callId}
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {}
end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, key in ipairs(due) do
  redis.call('ZREM', KEYS[1], key)
end
if #due > 0 then
  redis.call('SET', KEYS[2], table.concat(due, '\n'), 'PX', ARGV[3])
end
return due
