-- Appends a message with the next seq of the chat, or returns the message stored earlier when
-- this is a resend: same sender + clientId AND same text. The same clientId with another text
-- is a new message (and becomes the one a later resend is compared with).
-- seq is total per chat because numbering and RPUSH happen in one script:
-- seq = LLEN + 1, list index = seq - 1.
-- KEYS[1] transcript list   KEYS[2] dedup hash
-- ARGV[1] message JSON without seq, as '{...}' (its fields after the seq)
-- ARGV[2] dedup field (sender:clientId)   ARGV[3] '1' when the message has a clientId
-- ARGV[4] the text   ARGV[5] '1' when the text is null
-- Returns the stored message JSON.
if ARGV[3] == '1' then
  local seen = redis.call('HGET', KEYS[2], ARGV[2])
  if seen then
    local earlier = cjson.decode(seen).text
    local same
    if earlier == cjson.null or earlier == nil then
      same = ARGV[5] == '1'
    else
      same = ARGV[5] ~= '1' and earlier == ARGV[4]
    end
    if same then
      return seen
    end
  end
end
local seq = redis.call('LLEN', KEYS[1]) + 1
local rest = string.sub(ARGV[1], 2)
local json
if rest == '}' then
  json = '{"seq":' .. seq .. '}'
else
  json = '{"seq":' .. seq .. ',' .. rest
end
redis.call('RPUSH', KEYS[1], json)
if ARGV[3] == '1' then
  redis.call('HSET', KEYS[2], ARGV[2], json)
end
return json
