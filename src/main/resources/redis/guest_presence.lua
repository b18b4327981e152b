-- Marks that a node holds (or no longer holds) sockets of a chat's guest.
-- KEYS[1] gnodes:{chatId} set of node ids   KEYS[2] gchats:{nodeId} set of chat ids
-- KEYS[3] gnodeset: nodes with guest entries (to find a dead node's without SCAN)
-- ARGV[1] chat id   ARGV[2] node id   ARGV[3] '1' connected / '0' not
if ARGV[3] == '1' then
  redis.call('SADD', KEYS[1], ARGV[2])
  redis.call('SADD', KEYS[2], ARGV[1])
  redis.call('SADD', KEYS[3], ARGV[2])
else
  redis.call('SREM', KEYS[1], ARGV[2])
  redis.call('SREM', KEYS[2], ARGV[1])
end
return 1
