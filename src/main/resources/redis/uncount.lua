-- Takes one counted event back from a per-client limit's counter (countInWindow), keeping its
-- expiry; a counter that expired meanwhile is left gone. KEYS[1] the counter.
if redis.call('EXISTS', KEYS[1]) == 1 and tonumber(redis.call('GET', KEYS[1])) > 0 then
  return redis.call('DECR', KEYS[1])
end
return 0
