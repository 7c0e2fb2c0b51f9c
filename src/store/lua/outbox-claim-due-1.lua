--[[
  Claims the effects that are due: returns them and pushes their due time out by a lease, so a
  drain that crashes before enqueuing them loses nothing (they come due again), while a healthy
  drain does not pick the same effect up every round.

  Input:
    KEYS[1] outbox due zset
    ARGV[1] now ms
    ARGV[2] lease ms
    ARGV[3] most effects to claim

  Output: the claimed effect ids, earliest due first.
]]
local ids = redis.call("ZRANGE", KEYS[1], "-inf", ARGV[1], "BYSCORE", "LIMIT", 0, ARGV[3])
if #ids == 0 then
  return ids
end
local leaseUntil = tonumber(ARGV[1]) + tonumber(ARGV[2])
local args = {}
for i = 1, #ids do
  args[#args + 1] = leaseUntil
  args[#args + 1] = ids[i]
end
redis.call("ZADD", KEYS[1], "XX", unpack(args))
return ids
