--[[
  Settles one outbox effect after its delivery: marks it delivered or dead-lettered — or, when
  its retries ran out and the effect chain says so, keeps it pending for another round later —
  appends the attempt to its history, and writes what its outcome causes — the checkout's new
  document and the follow-up effects — in the same atomic step. An effect is settled once: a
  second call (a worker that crashed after settling and ran the job again) changes nothing.

  Input:
    KEYS[1] outbox status hash
    KEYS[2] outbox due zset
    KEYS[3] outbox dead-letter zset (effect id -> dead-lettered at ms)
    KEYS[4] outbox history hash (effect id -> JSON array of attempts)
    KEYS[5] outbox attempts hash (effect id -> attempts made)
    KEYS[6] checkout hash (fields v, doc); ignored when ARGV[5] is ""
    KEYS[7] outbox definitions hash
    KEYS[8] audit stream
    KEYS[9] settled zset (effect id -> settled at ms), for retention
    KEYS[10] exhausted zset (effect id -> first ran out of attempts at ms), until it is answered

    ARGV[1] effect id
    ARGV[2] outcome: "delivered" | "dead" (a permanent no) | "exhausted" (dead-lettered after
            its last attempt) | "retry" (its last attempt failed; pending again, due ARGV[9],
            with its attempts reset)
    ARGV[3] attempt record JSON
    ARGV[4] now ms
    ARGV[5] expected checkout version, or "" to leave the checkout alone
    ARGV[6] new checkout document JSON
    ARGV[7] audit event JSON
    ARGV[8] audit stream approximate max length
    ARGV[9] due ms of the next round ("retry" only, else "")
    ARGV[10..] follow-up effects as triples: effect id, definition JSON, due ms

  Output:
    {"ok", attempts}                settled (attempts made, this one included)
    {"already", status}             settled before; nothing written
    {"version_conflict", current}   the checkout moved on; re-read and settle again
]]
local rcall = redis.call

--- @include "includes/append-history"
--- @include "includes/queue-effects"
local id = ARGV[1]
local outcome = ARGV[2]

local status = rcall("HGET", KEYS[1], id)
if status ~= "pending" then
  return {"already", status or "missing"}
end

if ARGV[5] ~= "" then
  local current = tonumber(rcall("HGET", KEYS[6], "v") or "0")
  if current ~= tonumber(ARGV[5]) then
    return {"version_conflict", current}
  end
  rcall("HSET", KEYS[6], "v", current + 1, "doc", ARGV[6])
end

if outcome == "retry" then
  -- Still pending: the drain hands it to a new delivery job when the next round is due.
  rcall("ZADD", KEYS[2], ARGV[9], id)
else
  rcall("HSET", KEYS[1], id, outcome == "delivered" and "delivered" or "dead")
  rcall("ZREM", KEYS[2], id)
  if outcome ~= "delivered" then
    rcall("ZADD", KEYS[3], ARGV[4], id)
  end
  rcall("ZADD", KEYS[9], ARGV[4], id)
end
if outcome == "retry" or outcome == "exhausted" then
  rcall("ZADD", KEYS[10], "NX", ARGV[4], id)
else
  rcall("ZREM", KEYS[10], id)
end

appendHistory(KEYS[4], id, ARGV[3])
local attempts = rcall("HINCRBY", KEYS[5], id, 1)
if outcome == "retry" then
  rcall("HSET", KEYS[5], id, 0)
end

queueEffects(KEYS[7], KEYS[1], KEYS[2], 10)

rcall("XADD", KEYS[8], "MAXLEN", "~", ARGV[8], "*", "event", ARGV[7])
return {"ok", attempts}
