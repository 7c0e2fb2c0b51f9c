--[[
  Settles several outbox effects whose outcome writes nothing else (no checkout change, no
  follow-up effects): each is marked delivered or dead-lettered, its attempt appended to its
  history and its audit event appended, exactly as outbox-settle-10.lua does for one. Each effect
  is settled once: one settled before is reported and left alone, the others still settle.

  Input:
    KEYS[1] outbox status hash
    KEYS[2] outbox due zset
    KEYS[3] outbox dead-letter zset (effect id -> dead-lettered at ms)
    KEYS[4] outbox history hash (effect id -> JSON array of attempts)
    KEYS[5] outbox attempts hash (effect id -> attempts made)
    KEYS[6] audit stream
    KEYS[7] settled zset (effect id -> settled at ms), for retention
    KEYS[8] exhausted zset (effect id -> first ran out of attempts at ms), until it is answered

    ARGV[1] now ms
    ARGV[2] audit stream approximate max length
    ARGV[3..] effects as quadruples: effect id, outcome ("delivered" | "dead" | "exhausted", as
              in outbox-settle-10.lua, or "superseded": a decision event a later one of its key
              replaced, settled unsent and not dead-lettered), attempt record JSON, audit event JSON

  Output: one entry per effect, in order:
    attempts made (a number)   settled now
    status (a string)          settled before (or missing); nothing written for it
]]
local rcall = redis.call

--- @include "includes/append-history"
local now = ARGV[1]
local out = {}

for i = 3, #ARGV, 4 do
  local id, outcome, record = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local status = rcall("HGET", KEYS[1], id)
  if status ~= "pending" then
    out[#out + 1] = status or "missing"
  else
    local settled = "dead"
    if outcome == "delivered" or outcome == "superseded" then settled = outcome end
    rcall("HSET", KEYS[1], id, settled)
    rcall("ZREM", KEYS[2], id)
    if settled == "dead" then
      rcall("ZADD", KEYS[3], now, id)
    end
    if outcome == "exhausted" then
      rcall("ZADD", KEYS[8], "NX", now, id)
    else
      rcall("ZREM", KEYS[8], id)
    end
    rcall("ZADD", KEYS[7], now, id)
    appendHistory(KEYS[4], id, record)
    out[#out + 1] = rcall("HINCRBY", KEYS[5], id, 1)
    rcall("XADD", KEYS[6], "MAXLEN", "~", ARGV[2], "*", "event", ARGV[i + 3])
  end
end
return out
