--[[
  Commits one checkout transition with everything it causes, atomically: the new checkout
  document and version, its outbox effects, its idempotency record, its audit event and the
  one-time values of the mandate that authorized it.
  Either all of it is written or none.

  Input:
    KEYS[1] checkout hash (fields v = version, doc = JSON)
    KEYS[2] idempotency record (string "<64-hex request fingerprint>|<answer JSON>")
    KEYS[3] outbox definitions hash (effect id -> JSON)
    KEYS[4] outbox status hash (effect id -> pending | delivered | dead)
    KEYS[5] outbox due zset (effect id -> due ms)
    KEYS[6] audit stream
    KEYS[7] payment index hash (payment id -> checkout id)
    KEYS[8] spent one-time values zset (value -> ms until which it is remembered)
    KEYS[9] the reusable mandate's use hash (spent, uses, last), or any key when there is none

    ARGV[1] expected version ("0": the checkout must not exist yet)
    ARGV[2] new checkout document JSON (its version is expected + 1)
    ARGV[3] "1" when the request carries an idempotency key, else "0"
    ARGV[4] request fingerprint (64 hex): what the client sent, nothing we generated
    ARGV[5] answer JSON to replay for the same key
    ARGV[6] idempotency record TTL, seconds
    ARGV[7] audit event JSON
    ARGV[8] audit stream approximate max length
    ARGV[9] payment id to index, or ""
    ARGV[10] checkout id
    ARGV[11] now, ms
    ARGV[12] ms until which the values spent here are remembered
    ARGV[13] the reusable mandate's limits and this payment's amount, JSON
             {amount, budgetMax?, maxUses?, minSpacingMs?, untilMs}, or ""
    ARGV[14] how many one-time values follow (n)
    ARGV[15..14+n] the one-time values the transition spends
    ARGV[15+n..] effects as triples: effect id, definition JSON, due ms

  Output:
    {"ok", newVersion}
    {"version_conflict", currentVersion}
    {"replay", answerJSON}       the key was used for this same request
    {"idempotency_conflict"}     the key was used for another request
    {"use_refused", reason}      spent: a one-time value was spent by an earlier transition;
                                 budget, uses, spacing: the reusable mandate allows no more
]]
local rcall = redis.call

--- @include "includes/queue-effects"

if ARGV[3] == "1" then
  local stored = rcall("GET", KEYS[2])
  if stored then
    if string.sub(stored, 1, 64) == ARGV[4] then
      return {"replay", string.sub(stored, 66)}
    end
    return {"idempotency_conflict"}
  end
end

-- After the key's replay (a retried request answers as it did), before anything is written.
local now = tonumber(ARGV[11])
local spends = tonumber(ARGV[14])
if spends > 0 then
  rcall("ZREMRANGEBYSCORE", KEYS[8], "-inf", now)
  for i = 15, 14 + spends do
    if rcall("ZSCORE", KEYS[8], ARGV[i]) then
      return {"use_refused", "spent"}
    end
  end
end

local reuse = nil
if ARGV[13] ~= "" then
  reuse = cjson.decode(ARGV[13])
  local used = rcall("HMGET", KEYS[9], "spent", "uses", "last")
  local spent = tonumber(used[1] or "0")
  local uses = tonumber(used[2] or "0")
  local last = tonumber(used[3] or "0")
  if reuse.budgetMax and spent + reuse.amount > reuse.budgetMax then
    return {"use_refused", "budget"}
  end
  if reuse.maxUses and uses + 1 > reuse.maxUses then
    return {"use_refused", "uses"}
  end
  if reuse.minSpacingMs and uses > 0 and now - last < reuse.minSpacingMs then
    return {"use_refused", "spacing"}
  end
end

local current = rcall("HGET", KEYS[1], "v")
local expected = tonumber(ARGV[1])
local currentVersion = tonumber(current or "0")
if currentVersion ~= expected then
  return {"version_conflict", currentVersion}
end

local newVersion = expected + 1
rcall("HSET", KEYS[1], "v", newVersion, "doc", ARGV[2])

for i = 15, 14 + spends do
  rcall("ZADD", KEYS[8], ARGV[12], ARGV[i])
end

if reuse then
  rcall("HINCRBY", KEYS[9], "spent", reuse.amount)
  rcall("HINCRBY", KEYS[9], "uses", 1)
  rcall("HSET", KEYS[9], "last", now)
  rcall("PEXPIREAT", KEYS[9], reuse.untilMs)
end

queueEffects(KEYS[3], KEYS[4], KEYS[5], 15 + spends)

if ARGV[9] ~= "" then
  rcall("HSET", KEYS[7], ARGV[9], ARGV[10])
end

if ARGV[3] == "1" then
  rcall("SET", KEYS[2], ARGV[4] .. "|" .. ARGV[5], "EX", ARGV[6])
end

rcall("XADD", KEYS[6], "MAXLEN", "~", ARGV[8], "*", "event", ARGV[7])
return {"ok", newVersion}
