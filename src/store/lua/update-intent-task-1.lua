--[[
  Replaces an intent task if nobody wrote it since it was read (compare-and-set on `version`),
  keeping its TTL. The caller re-reads and retries on 0.

  Input:
    KEYS[1] the task key
    ARGV[1] the version the caller read
    ARGV[2] the new task as JSON (its version is ARGV[1] + 1)

  Output:
     1 written
     0 the task changed since it was read
    -1 no such task (expired or never created)
]]
local current = redis.call('GET', KEYS[1])
if not current then
  return -1
end
if tostring(cjson.decode(current)['version']) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1
