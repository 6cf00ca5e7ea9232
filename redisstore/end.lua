-- End: after each request, pipelined off the request's path. KEYS as begin.lua. ARGV: lease
-- id ('' for none); limit, remaining, used, reset (unix s), resource, reset in ms; hold ms,
-- hold status; page ttl ms (0: no page), etag, header, body; '1' when GitHub confirmed the
-- page kept (a 304) and no body comes.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

if ARGV[1] ~= '' then
  redis.call('ZREM', KEYS[2], ARGV[1])
end

local limit = tonumber(ARGV[2])
if limit > 0 then
  local remaining, reset, resetIn = tonumber(ARGV[3]), tonumber(ARGV[5]), tonumber(ARGV[7])
  local cur = redis.call('HMGET', KEYS[3], 'remaining', 'reset')
  local curRemaining, curReset = tonumber(cur[1]), tonumber(cur[2])
  -- The client's rule (wrapper's rateState.merge): figures of an earlier window, or of the
  -- same window with more requests left, are older than those kept.
  local older = curReset and (reset < curReset or (reset == curReset and remaining > curRemaining))
  if not older then
    redis.call('HSET', KEYS[3], 'limit', ARGV[2], 'remaining', ARGV[3], 'used', ARGV[4],
      'reset', ARGV[5], 'resource', ARGV[6], 'resetat', now + resetIn)
    redis.call('PEXPIRE', KEYS[3], math.max(resetIn, 0) + 3600000)
  end
end

local hold = tonumber(ARGV[8])
if hold > 0 then
  local cur = tonumber(redis.call('HGET', KEYS[1], 'until')) or 0
  if now + hold > cur then
    redis.call('HSET', KEYS[1], 'until', now + hold, 'status', ARGV[9])
    redis.call('PEXPIRE', KEYS[1], hold)
  end
end

local ttl = tonumber(ARGV[10])
if ttl > 0 and ARGV[14] == '1' then
  if redis.call('EXISTS', KEYS[4]) == 1 then
    redis.call('HSET', KEYS[4], 'at', now)
    redis.call('PEXPIRE', KEYS[4], ttl)
  end
elseif ttl > 0 then
  redis.call('HSET', KEYS[4], 'etag', ARGV[11], 'header', ARGV[12], 'body', ARGV[13], 'at', now)
  redis.call('PEXPIRE', KEYS[4], ttl)
end
return 1
