--[[
  Releases a lock only if this holder still owns it (it may have expired and been taken since).

  Input:
    KEYS[1] lock key
    ARGV[1] the holder's token

  Output:
    1 when released, 0 when the lock was not ours
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
