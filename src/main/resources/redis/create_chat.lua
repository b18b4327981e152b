-- Stores a new chat unless its id exists, and indexes it.
-- KEYS[1] chat hash   KEYS[2] unanswered zset   KEYS[3] holders set   KEYS[4] created zset (stats)
-- ARGV[1] version  ARGV[2] chat JSON  ARGV[3] holder ('' = none)  ARGV[4] unanswered score ('' = not unanswered)
-- ARGV[5] chat id  ARGV[6] key prefix  ARGV[7] created-at score (epoch millis)
-- ARGV[8] state  ARGV[9] guest name  ARGV[10] operator name  ARGV[11] guest channel ('' = none):
-- kept beside the JSON so a message (append_to_chat.lua) need not decode it
-- Returns 1 when stored, 0 when the id exists.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'json', ARGV[2], 'holder', ARGV[3],
  'state', ARGV[8], 'guestName', ARGV[9], 'operatorName', ARGV[10], 'channel', ARGV[11])
redis.call('ZADD', KEYS[4], ARGV[7], ARGV[5])
if ARGV[4] ~= '' then
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
end
if ARGV[3] ~= '' then
  redis.call('SADD', ARGV[6] .. 'held:' .. ARGV[3], ARGV[5])
  redis.call('SADD', KEYS[3], ARGV[3])
end
return 1
