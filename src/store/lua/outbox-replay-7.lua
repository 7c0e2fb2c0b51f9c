--[[
  Puts a dead-lettered effect back into the outbox, due now, with its attempts reset. Its history
  is kept and the replay is noted in it.

  Input:
    KEYS[1] outbox status hash
    KEYS[2] outbox dead-letter zset
    KEYS[3] outbox due zset
    KEYS[4] outbox attempts hash
    KEYS[5] outbox history hash
    KEYS[6] audit stream
    KEYS[7] settled zset
    ARGV[1] effect id
    ARGV[2] now ms
    ARGV[3] history record JSON noting the replay
    ARGV[4] audit event JSON
    ARGV[5] audit stream approximate max length

  Output: 1 when replayed, 0 when the effect is not dead-lettered.
]]
local rcall = redis.call

--- @include "includes/append-history"
local id = ARGV[1]
if rcall("HGET", KEYS[1], id) ~= "dead" then
  return 0
end
rcall("HSET", KEYS[1], id, "pending")
rcall("ZREM", KEYS[2], id)
rcall("ZREM", KEYS[7], id)
rcall("ZADD", KEYS[3], ARGV[2], id)
rcall("HSET", KEYS[4], id, 0)
appendHistory(KEYS[5], id, ARGV[3])
rcall("XADD", KEYS[6], "MAXLEN", "~", ARGV[5], "*", "event", ARGV[4])
return 1
