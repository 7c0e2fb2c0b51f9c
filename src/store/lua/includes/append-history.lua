--[[
  Appends one attempt record to an effect's history: a JSON array kept as one string per effect
  in the history hash, so a read is one HGET and an append never parses JSON in Lua.

  Input:
    historyKey  outbox history hash (effect id -> JSON array of attempts)
    id          effect id
    record      the attempt record, JSON
]]
local function appendHistory(historyKey, id, record)
  local history = redis.call("HGET", historyKey, id)
  if history then
    redis.call("HSET", historyKey, id, string.sub(history, 1, -2) .. "," .. record .. "]")
  else
    redis.call("HSET", historyKey, id, "[" .. record .. "]")
  end
end
