-- Compare-and-set of the queues-and-operators document.
-- KEYS[1] directory hash
-- ARGV[1] expected version ('0' = only when there is none yet)  ARGV[2] new version  ARGV[3] JSON
-- Returns 1 when written, 0 when another change came first.
local current = redis.call('HGET', KEYS[1], 'version')
if (current == false and ARGV[1] == '0') or (current ~= false and current == ARGV[1]) then
  redis.call('HSET', KEYS[1], 'version', ARGV[2], 'json', ARGV[3])
  return 1
end
return 0
