-- Compare-and-set of a chat, with the capacity check and the index updates, in one step.
-- KEYS[1] chat hash   KEYS[2] unanswered zset   KEYS[3] holders set
-- ARGV[1] expected version   ARGV[2] new version   ARGV[3] new chat JSON
-- ARGV[4] new holder ('' = nobody: the new state is not active)   ARGV[5] capacity
-- ARGV[6] new unanswered score ('' = the new state is not waiting/offered)
-- ARGV[7] chat id   ARGV[8] key prefix
-- ARGV[9] state  ARGV[10] guest name  ARGV[11] operator name  ARGV[12] guest channel ('' = none):
-- kept beside the JSON so a message (append_to_chat.lua) need not decode it
-- The old holder is read from the stored chat, so the held sets follow what is stored,
-- whatever the caller believed. Held-set keys are derived from it (single Redis, not cluster).
local cur = redis.call('HMGET', KEYS[1], 'version', 'holder')
if not cur[1] or cur[1] ~= ARGV[1] then
  return 'STALE'
end
local oldHolder = cur[2] or ''
local newHolder = ARGV[4]
local id = ARGV[7]
local prefix = ARGV[8]
local takesNew = newHolder ~= '' and newHolder ~= oldHolder
if takesNew and redis.call('SCARD', prefix .. 'held:' .. newHolder) >= tonumber(ARGV[5]) then
  return 'AT_CAPACITY'
end
if oldHolder ~= '' and oldHolder ~= newHolder then
  local oldKey = prefix .. 'held:' .. oldHolder
  redis.call('SREM', oldKey, id)
  if redis.call('SCARD', oldKey) == 0 then
    redis.call('SREM', KEYS[3], oldHolder)
  end
end
if takesNew then
  redis.call('SADD', prefix .. 'held:' .. newHolder, id)
  redis.call('SADD', KEYS[3], newHolder)
end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'json', ARGV[3], 'holder', newHolder,
  'state', ARGV[9], 'guestName', ARGV[10], 'operatorName', ARGV[11], 'channel', ARGV[12])
if ARGV[6] ~= '' then
  redis.call('ZADD', KEYS[2], ARGV[6], id)
else
  redis.call('ZREM', KEYS[2], id)
end
return 'REPLACED'
