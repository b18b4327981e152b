-- Marks an offline message done unless it already is: the first operator to mark it is kept.
-- KEYS[1] offline hash   ARGV[1] message id   ARGV[2] the message JSON marked done
-- Returns the stored JSON afterwards (the earlier one when it was done already), or false
-- when there is no such message.
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then
  return false
end
if cjson.decode(cur).done == true then
  return cur
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return ARGV[2]
