-- Leases up to ARGV[2] timer keys due at or before ARGV[1] (epoch microseconds), earliest first:
-- each moves from the timers to the leases, due again at ARGV[1] + ARGV[4] unless its firing is
-- completed (ZREM from the leases) or released before; a lease that ran out is claimed again.
-- Atomic: a due key is handed to one caller at a time across all nodes, and a node killed
-- between claim and action does not lose it (at-least-once: every timer action is idempotent).
-- The caller may stop waiting for the answer while this call is still to run (a frozen Redis
-- runs it when it wakes), so what it takes is also kept under KEYS[2], named for this one call,
-- for ARGV[3] ms, where that caller finds it; and a caller that gave up first has set KEYS[2]
-- (empty), so the late call claims nothing. Nothing is kept when nothing was due.
-- KEYS[1] timers zset   KEYS[2] claim:{callId}   KEYS[3] timer leases zset
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {}
end
local max = tonumber(ARGV[2])
local leaseUntil = tonumber(ARGV[1]) + tonumber(ARGV[4])
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, max)
local seen = {}
for _, key in ipairs(due) do
  seen[key] = true
end
if #due < max then
  for _, key in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[1], 'LIMIT', 0, max - #due)) do
    if not seen[key] then
      seen[key] = true
      due[#due + 1] = key
    end
  end
end
for _, key in ipairs(due) do
  redis.call('ZREM', KEYS[1], key)
  redis.call('ZADD', KEYS[3], leaseUntil, key)
end
if #due > 0 then
  redis.call('SET', KEYS[2], table.concat(due, '\n'), 'PX', ARGV[3])
end
return due
