-- Appends a message to a chat's transcript in ONE round trip (seq = LLEN + 1, so seq is total
-- per chat; a resend — same sender + clientId AND same text — returns the message stored
-- earlier instead of storing it twice).
-- For a guest's or an operator's message it first reads the chat and refuses when it has ended
-- (or, from an operator, when they do not hold it); nothing can close or hand the chat over
-- between the check and the append: the script runs alone. Other messages (system notes) are
-- appended as given, without reading the chat.
-- KEYS[1] chat hash   KEYS[2] transcript list   KEYS[3] dedup hash
-- ARGV[1] message JSON without seq and name, as '{...}' (its fields after them)
-- ARGV[2] dedup field (sender:clientId)   ARGV[3] '1' when the message has a clientId
-- ARGV[4] the text   ARGV[5] '1' when the text is null
-- ARGV[6] 'guest' | 'operator' (checked against the chat) | 'given' (appended as given)
-- ARGV[7] the operator's id ('operator'), or the sender's name ('given')
-- ARGV[8] '1' when a given name exists ('given')
-- Returns {'none'} | {'ended', state} | {'not_held', state}
--       | {'ok', state, holder ('' for nobody), channel, seq, '1' for a resend else '0',
--          sender's name ('' for none), '1' when there is a name, stored message JSON}
-- (seq and name let the caller build the new message without parsing the JSON back;
-- state, holder and channel are '' for 'given').
local name
local state, holder, channel = '', '', ''
if ARGV[6] == 'given' then
  if ARGV[8] == '1' then
    name = ARGV[7]
  end
else
  -- The chat's state and names are read from the fields create_chat/replace_chat keep beside
  -- its JSON; a chat stored without them (an older version) is decoded from the JSON instead.
  local f = redis.call('HMGET', KEYS[1], 'state', 'holder', 'guestName', 'operatorName', 'channel')
  local guestName, operatorName
  local raw
  if not f[1] then
    raw = redis.call('HGET', KEYS[1], 'json')
  end
  if f[1] then
    state, holder, guestName, operatorName, channel = f[1], f[2] or '', f[3] or '', f[4] or '', f[5] or 'web'
  elseif raw then
    local chat = cjson.decode(raw)
    local function str(v)
      if v == nil or v == cjson.null then
        return ''
      end
      return v
    end
    local guest = chat.guest
    if guest == cjson.null then
      guest = nil
    end
    state = chat.state
    holder = f[2] or ''
    guestName = guest and str(guest.name) or ''
    operatorName = str(chat.operatorName)
    channel = guest and str(guest.channel) or ''
  else
    return {'none'}
  end
  if channel == '' then
    channel = 'web'
  end
  if state == 'closed' or state == 'abandoned' or state == 'missed' then
    return {'ended', state}
  end
  if ARGV[6] == 'operator' then
    if state ~= 'active' or holder ~= ARGV[7] then
      return {'not_held', state}
    end
    name = operatorName
  else
    name = guestName
  end
  if name == '' then
    name = nil
  end
end

local json
local seq
local resent = '0'
if ARGV[3] == '1' then
  local seen = redis.call('HGET', KEYS[3], ARGV[2])
  if seen then
    local earlier = cjson.decode(seen).text
    local same
    if earlier == cjson.null or earlier == nil then
      same = ARGV[5] == '1'
    else
      same = ARGV[5] ~= '1' and earlier == ARGV[4]
    end
    if same then
      json = seen
      resent = '1'
      seq = cjson.decode(seen).seq
    end
  end
end
if not json then
  seq = redis.call('LLEN', KEYS[2]) + 1
  local nameJson = 'null'
  if name ~= nil and name ~= cjson.null and name ~= false then
    nameJson = cjson.encode(name)
  else
    name = nil
  end
  local rest = string.sub(ARGV[1], 2)
  if rest == '}' then
    json = '{"seq":' .. seq .. ',"name":' .. nameJson .. '}'
  else
    json = '{"seq":' .. seq .. ',"name":' .. nameJson .. ',' .. rest
  end
  redis.call('RPUSH', KEYS[2], json)
  if ARGV[3] == '1' then
    redis.call('HSET', KEYS[3], ARGV[2], json)
  end
end
local hasName = '1'
if name == nil or name == cjson.null or name == false then
  name = ''
  hasName = '0'
end
return {'ok', state, holder, channel, tostring(seq), resent, name, hasName, json}
