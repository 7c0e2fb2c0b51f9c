--[[
  Moves products whose profiles expire by now from the due sorted set into the dirty set, so
  they are re-evaluated with no new input.

  Input:
    KEYS[1] due sorted set (score: validUntil in ms)
    KEYS[2] dirty set
    ARGV[1] now in ms
    ARGV[2] how many ids at most

  Output:
    the number of ids moved
]]
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #ids > 0 then
  redis.call('ZREM', KEYS[1], unpack(ids))
  redis.call('SADD', KEYS[2], unpack(ids))
end
return #ids
