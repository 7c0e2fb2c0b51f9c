--[[
  Writes one projection step of the tenant's decision changes into its outbox (issue 18), all
  or nothing: the decision events it made, the undelivered events they supersede, each
  ordering key's next event and sequence number, and the change stream's cursor moved past the
  entries it projected (which are then trimmed). A re-run after a crash finds the cursor where
  it was and projects the same entries again into the same effect ids.

  Nothing is written when another projector moved the cursor, or when a key's next event is not
  the one the step read (its delivery began meanwhile): the caller reads again and retries.

  Input:
    KEYS[1] cursor string (the last projected stream entry id)
    KEYS[2] change stream
    KEYS[3] ordering key -> last sequence number hash
    KEYS[4] ordering key -> next (undelivered, unbegun) event id hash
    KEYS[5] outbox definitions hash
    KEYS[6] outbox status hash
    KEYS[7] outbox due zset

    ARGV[1] the cursor the step read ("" for none)
    ARGV[2] the new cursor
    ARGV[3..] rows of six: ordering key, its next event id as read ("" for none; superseded
              here when still pending), the new event id, its definition JSON, its due ms, its
              sequence number

  Output:
    {"ok"}
    {"conflict", what}   nothing written
]]
local rcall = redis.call
local ROW = 6

if (rcall("GET", KEYS[1]) or "") ~= ARGV[1] then return {"conflict", "cursor"} end
for i = 3, #ARGV, ROW do
  if (rcall("HGET", KEYS[4], ARGV[i]) or "") ~= ARGV[i + 1] then return {"conflict", ARGV[i]} end
end

for i = 3, #ARGV, ROW do
  local key, previous, id = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if previous ~= "" and rcall("HGET", KEYS[6], previous) == "pending" then
    -- Superseded before it was sent: it leaves the due set and is never sent.
    rcall("HSET", KEYS[6], previous, "superseded")
    rcall("ZREM", KEYS[7], previous)
  end
  if rcall("HSETNX", KEYS[5], id, ARGV[i + 3]) == 1 then
    rcall("HSET", KEYS[6], id, "pending")
    rcall("ZADD", KEYS[7], ARGV[i + 4], id)
  end
  rcall("HSET", KEYS[4], key, id)
  rcall("HSET", KEYS[3], key, ARGV[i + 5])
end

rcall("SET", KEYS[1], ARGV[2])
rcall("XTRIM", KEYS[2], "MINID", ARGV[2])
return {"ok"}
