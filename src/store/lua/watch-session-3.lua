--[[
  One step of a live watch session (an MCP session's resource subscriptions): every step first
  checks the session is there and is the caller's, then keeps it alive for its idle time.

  A session whose idle time ran out is gone (its keys expired with it); the live set still lists
  it until a later step of any session prunes it, and lists a session only while it watches
  something, so the evaluation records changes only while someone may hear of them.

  Input:
    KEYS[1] session hash (caller)
    KEYS[2] session watches hash: watch key -> the resource URI as the client subscribed it
    KEYS[3] the tenant's live set: session id -> ms its idle time ends (sessions that watch)

    ARGV[1] "touch" | "watch" | "unwatch" | "stream" | "close"
    ARGV[2] session id
    ARGV[3] caller id
    ARGV[4] now ms
    ARGV[5] idle ms
    ARGV[6] watch key (watch, unwatch); the stream's token (stream)
    ARGV[7] resource URI (watch)

  Output:
    -1 when there is no such session of this caller; else
    touch, stream, close: 1; watch: the number of watches; unwatch: 1 when it was watched, else 0
    (stream: the session's GET stream is now the one of this token; an older one ends)
]]
local rcall = redis.call
local op, id, caller = ARGV[1], ARGV[2], ARGV[3]
local now, idle = tonumber(ARGV[4]), tonumber(ARGV[5])

if rcall("HGET", KEYS[1], "caller") ~= caller then
  return -1
end
rcall("ZREMRANGEBYSCORE", KEYS[3], "-inf", now)

if op == "close" then
  rcall("DEL", KEYS[1], KEYS[2])
  rcall("ZREM", KEYS[3], id)
  return 1
end

local answer = 1
if op == "watch" then
  rcall("HSET", KEYS[2], ARGV[6], ARGV[7])
  answer = rcall("HLEN", KEYS[2])
elseif op == "unwatch" then
  answer = rcall("HDEL", KEYS[2], ARGV[6])
elseif op == "stream" then
  rcall("HSET", KEYS[1], "stream", ARGV[6])
end

rcall("PEXPIRE", KEYS[1], idle)
if rcall("EXISTS", KEYS[2]) == 1 then
  rcall("PEXPIRE", KEYS[2], idle)
  rcall("ZADD", KEYS[3], now + idle, id)
else
  rcall("ZREM", KEYS[3], id)
end
return answer
