--[[
  Forgets delivered (and superseded) effects settled before a cutoff, so the outbox does not grow forever on a
  Redis that must never evict. Dead letters are never forgotten here: they wait for an operator
  (replay takes them back out of the settled index); they only leave the settled index, so the
  next pass does not scan them again.

  Input:
    KEYS[1] settled zset (effect id -> settled at ms)
    KEYS[2] outbox status hash
    KEYS[3] outbox definition hash
    KEYS[4] outbox attempts hash
    KEYS[5] outbox history hash
    ARGV[1] cutoff ms: effects settled at or before it are considered
    ARGV[2] how many to consider at most in this call

  Output: {considered, forgotten}
]]
local rcall = redis.call
local ids = rcall("ZRANGEBYSCORE", KEYS[1], "-inf", ARGV[1], "LIMIT", 0, tonumber(ARGV[2]))
local forgotten = 0
for _, id in ipairs(ids) do
  local status = rcall("HGET", KEYS[2], id)
  if status == "delivered" or status == "superseded" then
    rcall("HDEL", KEYS[2], id)
    rcall("HDEL", KEYS[3], id)
    rcall("HDEL", KEYS[4], id)
    rcall("HDEL", KEYS[5], id)
    forgotten = forgotten + 1
  end
  -- pending (replayed) or dead: not ours to forget; missing: nothing left to forget.
  rcall("ZREM", KEYS[1], id)
end
return {#ids, forgotten}
