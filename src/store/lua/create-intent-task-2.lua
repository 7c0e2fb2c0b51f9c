--[[
  Creates an intent task unless a task with its id exists. Task ids derive from the idempotency
  key, so concurrent sends of one message race here and exactly one of them creates the task.

  Input:
    KEYS[1] the task key
    KEYS[2] the tenant's task index (sorted set: member task id, score createdAt ms)
    ARGV[1] the task as JSON
    ARGV[2] retention, seconds (TTL of the task and of the index)
    ARGV[3] createdAt, ms
    ARGV[4] task id
    ARGV[5] oldest createdAt still retained, ms (older index entries are dropped)

  Output:
    { 1 }               created (the caller has the JSON it sent; not echoed back)
    { 0, existingJson } a task with this id already exists
]]
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[5])
  redis.call('EXPIRE', KEYS[2], ARGV[2])
  return { 1 }
end
return { 0, redis.call('GET', KEYS[1]) }
