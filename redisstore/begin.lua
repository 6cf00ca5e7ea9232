#!lua flags=allow-oom
-- Begin: one round trip before each request. KEYS: hold, slots, rate, page, released (one hash
-- tag, so one cluster slot). ARGV: lease id, cap, lease ms, '1' to return the page, the most bytes a
-- page may have, the longest lease ms.
--
-- It runs when Redis is out of memory (allow-oom): what it may add is one slot of the cap,
-- a few dozen bytes that End removes, so the cap and the hold keep working then.
--
-- Returns {hold ms, hold status, slot taken (0/1), limit, remaining, used, reset (unix s),
-- resource, reset in ms, page kept (0/1), etag, header, body, age ms, confirmed to,
-- confirmation, write id}: numbers and strings only (a Lua false would be a RESP3 boolean),
-- '' for a number there is none of. Stored figures are passed on as stored; what the client
-- cannot use it ignores.
kind(KEYS[1], 'hash')
kind(KEYS[2], 'zset')
kind(KEYS[3], 'hash')

local r = redis.call('HMGET', KEYS[3], 'limit', 'remaining', 'used', 'reset', 'resource', 'resetat')
local resetAt = instant(r[6])
local out = {0, '', 0, short(r[1], 20), short(r[2], 20), short(r[3], 20), short(r[4], 20),
  short(r[5], 64), resetAt and resetAt - now or '', 0, '', '', '', '', '', '', ''}

local h = redis.call('HMGET', KEYS[1], 'until', 'status')
local untilAt = instant(h[1])
if h[1] and not untilAt then
  redis.call('DEL', KEYS[1]) -- a hold that is no time: not written by End
elseif untilAt and untilAt > now then
  out[1], out[2] = untilAt - now, short(h[2], 3)
  return out
end

-- Leases of processes that died holding a slot have expired: they are free again. A lease
-- beyond the longest any process may take was not taken by Begin.
expire(KEYS[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '(' .. string.format('%d', now + tonumber(ARGV[6])), '+inf')
-- A lease End gave back before this Begin ran: its caller gave up waiting for this answer,
-- and End, sent on another connection, came first. Taken now, the slot would stay taken to
-- the end of its lease.
kind(KEYS[5], 'zset')
expire(KEYS[5])
if redis.call('ZREM', KEYS[5], ARGV[1]) == 1 then
  return out
end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) then
  return out
end
untilIn(KEYS[2], ARGV[1], tonumber(ARGV[3]))
out[3] = 1

if ARGV[4] == '1' then
  kind(KEYS[4], 'hash')
  local size = 0
  for _, f in ipairs({'etag', 'header', 'body', 'at', 'to', 'conf', 'w'}) do
    size = size + redis.call('HSTRLEN', KEYS[4], f)
  end
  if size > tonumber(ARGV[5]) then
    redis.call('DEL', KEYS[4]) -- larger than any page Put keeps: not read, not kept
  elseif redis.call('EXISTS', KEYS[4]) == 1 then
    local p = redis.call('HMGET', KEYS[4], 'etag', 'header', 'body', 'at', 'to', 'conf', 'w')
    local at = instant(p[4])
    out[10], out[11], out[12], out[13] = 1, p[1] or '', p[2] or '', p[3] or ''
    out[14], out[15], out[16], out[17] = at and now - at or '', p[5] or '', p[6] or '', p[7] or ''
  end
end
return out
