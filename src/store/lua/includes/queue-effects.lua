--[[
  Writes the outbox effects given as ARGV triples from `from` on (effect id, definition JSON,
  due ms): each new effect pending and due. Effect ids are deterministic: an id already written
  is the same effect, never queued again.

  Input:
    defKey     outbox definitions hash (effect id -> JSON)
    statusKey  outbox status hash (effect id -> pending | delivered | dead)
    dueKey     outbox due zset (effect id -> due ms)
    from       the ARGV index of the first triple
]]
local function queueEffects(defKey, statusKey, dueKey, from)
  for i = from, #ARGV, 3 do
    local id = ARGV[i]
    if redis.call("HSETNX", defKey, id, ARGV[i + 1]) == 1 then
      redis.call("HSET", statusKey, id, "pending")
      redis.call("ZADD", dueKey, ARGV[i + 2], id)
    end
  end
end
