--[[
  Takes up to ARGV[1] product ids out of the tenant's dirty set into one job's claimed set. When
  the job already holds a claim (it is being retried after a crash or an error), the same claim
  is returned again, so no id is lost and none is taken twice.

  Input:
    KEYS[1] dirty set
    KEYS[2] claimed set of this job
    ARGV[1] how many ids at most

  Output:
    the claimed ids; empty when nothing is dirty
]]
local held = redis.call('SMEMBERS', KEYS[2])
if #held > 0 then
  return held
end
local ids = redis.call('SPOP', KEYS[1], tonumber(ARGV[1]))
if #ids > 0 then
  redis.call('SADD', KEYS[2], unpack(ids))
end
return ids
