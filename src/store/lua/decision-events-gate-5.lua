--[[
  The ordering gate of decision events (issue 18): at most one event of an ordering key
  (subscription, product, context) is sent at a time, and an event is sent only while it is the
  key's latest, so an agent never hears an older decision after the newer one that replaced it.

  "begin", before a send:
    - the subscription is gone: {"superseded", "unsubscribed"}
    - another event of the key is being sent (its lease runs and it is still pending):
      {"held", ms left on its lease}
    - this is the key's next event: it becomes the key's begun event; {"send"}
    - this is the key's begun event and nothing newer waits (a retry, a replay): {"send"}
    - otherwise a later event replaced it: {"superseded", "replaced"}
    A send holds the key for the lease; "end" (after the send, whatever its answer) lets go.

  Input:
    KEYS[1] ordering key -> next event id hash
    KEYS[2] ordering key -> "event id|lease end ms" hash, while an event is being sent
    KEYS[3] ordering key -> begun event id hash
    KEYS[4] outbox status hash
    KEYS[5] subscriptions hash

    ARGV[1] "begin" | "end"
    ARGV[2] event (effect) id
    ARGV[3] ordering key
    ARGV[4] subscription id
    ARGV[5] now ms
    ARGV[6] lease ms

  Output:
    begin: {"send"} | {"held", ms} | {"superseded", "unsubscribed" | "replaced"}
    end:   {"ok"}
]]
local rcall = redis.call
local id, key = ARGV[2], ARGV[3]

if ARGV[1] == "end" then
  local sending = rcall("HGET", KEYS[2], key)
  if sending and string.sub(sending, 1, #id + 1) == id .. "|" then rcall("HDEL", KEYS[2], key) end
  return {"ok"}
end

local now = tonumber(ARGV[5])
if rcall("HEXISTS", KEYS[5], ARGV[4]) == 0 then
  if rcall("HGET", KEYS[1], key) == id then rcall("HDEL", KEYS[1], key) end
  return {"superseded", "unsubscribed"}
end

local sending = rcall("HGET", KEYS[2], key)
if sending then
  local at = string.find(sending, "|", 1, true)
  local other, leaseEnd = string.sub(sending, 1, at - 1), tonumber(string.sub(sending, at + 1))
  if other ~= id and leaseEnd > now and rcall("HGET", KEYS[4], other) == "pending" then
    return {"held", tostring(leaseEnd - now)}
  end
end

local nextId = rcall("HGET", KEYS[1], key)
if nextId == id then
  rcall("HDEL", KEYS[1], key)
  rcall("HSET", KEYS[3], key, id)
elseif nextId or rcall("HGET", KEYS[3], key) ~= id then
  return {"superseded", "replaced"}
end
rcall("HSET", KEYS[2], key, id .. "|" .. tostring(now + tonumber(ARGV[6])))
return {"send"}
