-- Begin: one round trip before each request. KEYS: hold, slots, rate, page (one hash tag,
-- so one cluster slot). ARGV: lease id, cap, lease in ms, "1" to return the page.
-- Returns {hold ms, hold status, slot taken (0/1), limit, remaining, used, reset (unix s),
-- resource, reset in ms, etag, header, body, age of the page in ms}: numbers and strings only (a Lua false would be
-- a RESP3 boolean).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local r = redis.call('HMGET', KEYS[3], 'limit', 'remaining', 'used', 'reset', 'resource', 'resetat')
local out = {0, 0, 0, tonumber(r[1]) or 0, tonumber(r[2]) or 0, tonumber(r[3]) or 0,
  tonumber(r[4]) or 0, r[5] or '', (tonumber(r[6]) or now) - now, '', '', '', 0}

local h = redis.call('HMGET', KEYS[1], 'until', 'status')
local hold = (tonumber(h[1]) or 0) - now
if hold > 0 then
  out[1], out[2] = hold, tonumber(h[2]) or 0
  return out
end

-- Leases of processes that died holding a slot have expired: they are free again.
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) then
  return out
end
local lease = tonumber(ARGV[3])
redis.call('ZADD', KEYS[2], now + lease, ARGV[1])
redis.call('PEXPIRE', KEYS[2], lease)
out[3] = 1

if ARGV[4] == '1' then
  local p = redis.call('HMGET', KEYS[4], 'etag', 'header', 'body', 'at')
  if p[1] then
    out[10], out[11], out[12], out[13] = p[1], p[2] or '', p[3] or '', now - (tonumber(p[4]) or 0)
  end
end
return out
