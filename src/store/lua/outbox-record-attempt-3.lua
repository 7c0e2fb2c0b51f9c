--[[
  Appends a failed or throttled attempt to a pending effect's history.

  Input:
    KEYS[1] outbox status hash
    KEYS[2] outbox history hash
    KEYS[3] outbox attempts hash
    ARGV[1] effect id
    ARGV[2] attempt record JSON
    ARGV[3] "1" when the attempt counts against the effect's attempts (a 429 does not)

  Output: attempts made so far, or -1 when the effect is no longer pending.
]]
local rcall = redis.call

--- @include "includes/append-history"
local id = ARGV[1]
if rcall("HGET", KEYS[1], id) ~= "pending" then
  return -1
end
appendHistory(KEYS[2], id, ARGV[2])
if ARGV[3] == "1" then
  return rcall("HINCRBY", KEYS[3], id, 1)
end
return tonumber(rcall("HGET", KEYS[3], id) or "0")
