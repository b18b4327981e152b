-- Makes the chats a node holds guest sockets of exactly ARGV[3..]: adds the missing entries and
-- removes the others, returning the chats removed (their detach was lost while the store was away).
-- KEYS[1] gchats:{nodeId}   KEYS[2] gnodeset   ARGV[1] key prefix   ARGV[2] node id   ARGV[3..] chat ids
local prefix = ARGV[1]
local node = ARGV[2]
local keep = {}
for i = 3, #ARGV do
  keep[ARGV[i]] = true
end
local removed = {}
for _, chat in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if not keep[chat] then
    redis.call('SREM', KEYS[1], chat)
    redis.call('SREM', prefix .. 'gnodes:' .. chat, node)
    removed[#removed + 1] = chat
  end
end
for i = 3, #ARGV do
  redis.call('SADD', KEYS[1], ARGV[i])
  redis.call('SADD', prefix .. 'gnodes:' .. ARGV[i], node)
end
if #ARGV > 2 then
  redis.call('SADD', KEYS[2], node)
end
return removed
