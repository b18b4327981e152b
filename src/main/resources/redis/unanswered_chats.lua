-- A consistent snapshot of the chats still waiting or offered, oldest first
-- (score = waitingSince in epoch microseconds, ties by chat id).
-- KEYS[1] unanswered zset   ARGV[1] key prefix
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local out = {}
for _, id in ipairs(ids) do
  local json = redis.call('HGET', ARGV[1] .. 'chat:' .. id, 'json')
  if json then
    out[#out + 1] = json
  end
end
return out
