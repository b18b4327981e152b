-- Forgets a chat that ended and reached the record, if it is still the version the record holds.
-- KEYS[1] chat hash   KEYS[2] transcript   KEYS[3] resend index   KEYS[4] timeline   KEYS[5] created zset
-- ARGV[1] the version the record holds   ARGV[2] chat id
local cur = redis.call('HMGET', KEYS[1], 'version', 'state')
if not cur[1] or cur[1] ~= ARGV[1] then
  return 0
end
local state = cur[2]
if state ~= 'closed' and state ~= 'abandoned' and state ~= 'missed' then
  return 0
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
redis.call('ZREM', KEYS[5], ARGV[2])
return 1
