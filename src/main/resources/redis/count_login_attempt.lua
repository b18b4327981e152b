-- Counts one sign-in attempt for a username; shared by every node.
-- KEYS[1] the username's counter; ARGV[1] the window in ms; ARGV[2] the count that locks.
-- The first attempt starts the window (the key expires at its end); the attempt that reaches
-- the lock count starts it again, so a lock lasts a whole window. A counter found without an
-- expiry gets one, so no count is ever kept for good.
local n = redis.call('INCR', KEYS[1])
if n == 1 or n == tonumber(ARGV[2]) or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
