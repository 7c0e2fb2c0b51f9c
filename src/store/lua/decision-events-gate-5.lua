--[[
  The ordering gate of decision events (issue 18): at most one event of an ordering key
  (subscription, product, context) is sent at a time, and an event is sent only while it is the
  key's latest, so an agent never hears an older decision after the newer one that replaced it.
  One call answers for several events (the deliveries of one turn of the event loop).

  "begin", before a send, for each event, the first of these that holds:
    - it is no longer pending (a job that read its status before another settled it):
      {"settled", status}
    - the subscription is gone: {"superseded", "unsubscribed"}
    - it is neither the key's next event nor its begun one with nothing newer waiting (a later
      event replaced it): {"superseded", "replaced"}
    - an event of the key is being sent, another one or this one from another job (its lease
      runs and it is still pending): {"held", ms left on its lease}
    - otherwise {"send"}: the key's next event becomes its begun one; a begun one is sent again
      (a retry, a replay)
    A send holds the key for the lease; "end" (once the send's outcome is settled, whatever the
    answer) lets go.

  Input:
    KEYS[1] ordering key -> next event id hash
    KEYS[2] ordering key -> "event id|lease end ms" hash, while an event is being sent
    KEYS[3] ordering key -> begun event id hash
    KEYS[4] outbox status hash
    KEYS[5] subscriptions hash

    ARGV[1] "begin" | "end"
    ARGV[2] now ms
    ARGV[3] lease ms
    ARGV[4..] events as triples: event (effect) id, ordering key, subscription id

  Output: two entries per event, in order:
    begin: "send", "" | "held", ms | "superseded", "unsubscribed" | "replaced" | "settled", status
    end:   "ok", ""
]]
local rcall = redis.call
local now, lease = tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}

local function finish(id, key)
  local sending = rcall("HGET", KEYS[2], key)
  if sending and string.sub(sending, 1, #id + 1) == id .. "|" then rcall("HDEL", KEYS[2], key) end
  return "ok", ""
end

local function begin(id, key, subscription)
  local status = rcall("HGET", KEYS[4], id)
  if status ~= "pending" then return "settled", status or "missing" end
  if rcall("HEXISTS", KEYS[5], subscription) == 0 then
    if rcall("HGET", KEYS[1], key) == id then rcall("HDEL", KEYS[1], key) end
    return "superseded", "unsubscribed"
  end
  local nextId = rcall("HGET", KEYS[1], key)
  if nextId ~= id and (nextId or rcall("HGET", KEYS[3], key) ~= id) then
    return "superseded", "replaced"
  end
  local sending = rcall("HGET", KEYS[2], key)
  if sending then
    local at = string.find(sending, "|", 1, true)
    local other, leaseEnd = string.sub(sending, 1, at - 1), tonumber(string.sub(sending, at + 1))
    if leaseEnd > now and rcall("HGET", KEYS[4], other) == "pending" then
      return "held", tostring(leaseEnd - now)
    end
  end
  if nextId == id then
    rcall("HDEL", KEYS[1], key)
    rcall("HSET", KEYS[3], key, id)
  end
  rcall("HSET", KEYS[2], key, id .. "|" .. tostring(now + lease))
  return "send", ""
end

for i = 4, #ARGV, 3 do
  local answer, detail
  if ARGV[1] == "end" then
    answer, detail = finish(ARGV[i], ARGV[i + 1])
  else
    answer, detail = begin(ARGV[i], ARGV[i + 1], ARGV[i + 2])
  end
  out[#out + 1] = answer
  out[#out + 1] = detail
end
return out
