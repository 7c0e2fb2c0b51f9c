--[[
  Claims an Idempotency-Key for one request, or says why it cannot: the key already has an
  answer, or another request holding it is still running. Checking the answer and taking the
  claim in one step means a request that finishes in between is replayed, never run twice.

  Input:
    KEYS[1] idempotency record (string "<64-hex fingerprint>|<answer JSON>")
    KEYS[2] in-flight claim (string "<64-hex fingerprint>|<token>", expires)

    ARGV[1] this request's fingerprint (64 hex)
    ARGV[2] this request's claim token
    ARGV[3] claim TTL, milliseconds

  Output:
    {"claimed"}
    {"answered", record}               the key already has an answer (record as stored)
    {"in_flight", claim, remainingMs}  another request holds the key (claim as stored)
]]
local rcall = redis.call

local stored = rcall("GET", KEYS[1])
if stored then
  return {"answered", stored}
end

if rcall("SET", KEYS[2], ARGV[1] .. "|" .. ARGV[2], "PX", ARGV[3], "NX") then
  return {"claimed"}
end

-- Time stands still inside a script: the claim that refused the SET is still there.
return {"in_flight", rcall("GET", KEYS[2]), rcall("PTTL", KEYS[2])}
