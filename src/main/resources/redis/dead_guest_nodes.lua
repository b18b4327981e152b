-- Forgets the guest entries of nodes that stopped beating (their alive key expired) and returns
-- the chats whose guest is now held by no live node: their guests' sockets died with the node.
-- KEYS[1] gnodeset   ARGV[1] key prefix
local prefix = ARGV[1]
local orphaned = {}
for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', prefix .. 'alive:' .. node) == 0 then
    local chatsKey = prefix .. 'gchats:' .. node
    for _, chat in ipairs(redis.call('SMEMBERS', chatsKey)) do
      local nodesKey = prefix .. 'gnodes:' .. chat
      redis.call('SREM', nodesKey, node)
      local live = false
      for _, other in ipairs(redis.call('SMEMBERS', nodesKey)) do
        if redis.call('EXISTS', prefix .. 'alive:' .. other) == 1 then
          live = true
          break
        end
      end
      if not live then
        orphaned[#orphaned + 1] = chat
      end
    end
    redis.call('DEL', chatsKey)
    redis.call('SREM', KEYS[1], node)
  end
end
return orphaned
