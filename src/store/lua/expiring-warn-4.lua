--[[
  Writes one sweep's profile.expiring warnings: each warning once (its id names the subscription,
  product, context and validUntil it warns of, so a warning written again is not sent again),
  and marks the products warned of for that validUntil, so later sweeps skip them.

  Input:
    KEYS[1] outbox definitions hash
    KEYS[2] outbox status hash
    KEYS[3] outbox due zset
    KEYS[4] product -> validUntil ms it was warned of (hash)

    ARGV[1] number of marks n
    ARGV[2 .. 2n+1] pairs: product id, validUntil ms
    ARGV[2n+2 ..] triples: effect id, definition JSON, due ms

  Output: the number of warnings newly written
]]
local rcall = redis.call
local marks = tonumber(ARGV[1])
local written = 0

for i = 2, 1 + 2 * marks, 2 do
  rcall("HSET", KEYS[4], ARGV[i], ARGV[i + 1])
end

for i = 2 + 2 * marks, #ARGV, 3 do
  if rcall("HSETNX", KEYS[1], ARGV[i], ARGV[i + 1]) == 1 then
    rcall("HSET", KEYS[2], ARGV[i], "pending")
    rcall("ZADD", KEYS[3], ARGV[i + 2], ARGV[i])
    written = written + 1
  end
end
return written
