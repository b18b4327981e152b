-- 1 when a live node (its alive key not expired) holds a socket of the chat's guest, else 0.
-- KEYS[1] gnodes:{chatId}   ARGV[1] key prefix
for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. 'alive:' .. node) == 1 then
    return 1
  end
end
return 0
