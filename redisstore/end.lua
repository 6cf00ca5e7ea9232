#!lua flags=allow-oom
-- End: after each request, pipelined off the request's path. KEYS as begin.lua. ARGV: lease
-- id ('' for none); limit (0 for no figures), remaining, used, reset (unix s), resource, reset
-- in ms; hold ms, hold status; page op ('' none, 'renew', 'drop' or 'forget'), the etag field
-- it is about; for 'renew' the ttl ms, confirmed to and confirmation; for 'forget' the write
-- id; the lease ms.
--
-- 'renew' (GitHub confirmed the page with that ETag) and 'drop' (the client could not use it)
-- act only if the page still has that ETag: another client may have put a newer one.
-- 'forget' removes a page Begin read and could not read, only if it is still the value read.
--
-- It runs when Redis is out of memory (allow-oom): it gives slots back, and replaces small
-- values with others of the same size; were it refused, slots would stay taken until their
-- leases expire.
kind(KEYS[1], 'hash')
kind(KEYS[2], 'zset')
kind(KEYS[3], 'hash')

if ARGV[1] ~= '' and redis.call('ZREM', KEYS[2], ARGV[1]) == 0 then
  -- No such lease: it has expired, or its Begin has not run yet (a caller that gave up on
  -- Begin gives the slot back at once, and Redis orders no two connections' commands). The
  -- mark, kept for a lease, tells that Begin to take no slot.
  kind(KEYS[5], 'zset')
  expire(KEYS[5])
  untilIn(KEYS[5], ARGV[1], tonumber(ARGV[16]))
end

local limit = tonumber(ARGV[2])
if limit > 0 then
  local remaining, reset, resetIn = tonumber(ARGV[3]), tonumber(ARGV[5]), tonumber(ARGV[7])
  local cur = redis.call('HMGET', KEYS[3], 'remaining', 'reset')
  local curRemaining, curReset = tonumber(cur[1]), tonumber(cur[2])
  -- Figures kept that are no numbers, or a reset that is no time, are replaced.
  if curRemaining ~= curRemaining or not curReset or not instant(curReset * 1000) then
    curReset = nil
  end
  -- The client's rule (wrapper's rateState.merge): figures of an earlier window, or of the
  -- same window with more requests left, are older than those kept.
  local older = curReset and curRemaining and (reset < curReset or (reset == curReset and remaining > curRemaining))
  if not older then
    redis.call('HSET', KEYS[3], 'limit', ARGV[2], 'remaining', ARGV[3], 'used', ARGV[4],
      'reset', ARGV[5], 'resource', ARGV[6], 'resetat', now + resetIn)
    redis.call('PEXPIRE', KEYS[3], math.max(resetIn, 0) + 3600000)
  end
end

local hold = tonumber(ARGV[8])
if hold > 0 then
  local cur = instant(redis.call('HGET', KEYS[1], 'until')) or 0
  if now + hold > cur then
    redis.call('HSET', KEYS[1], 'until', now + hold, 'status', ARGV[9])
    redis.call('PEXPIRE', KEYS[1], hold)
  end
end

local op = ARGV[10]
if op ~= '' then
  kind(KEYS[4], 'hash')
  local etag = redis.call('HGET', KEYS[4], 'etag') or ''
  if op == 'renew' and etag ~= '' and etag == ARGV[11] then
    redis.call('HSET', KEYS[4], 'at', now, 'to', ARGV[13], 'conf', ARGV[14])
    redis.call('PEXPIRE', KEYS[4], tonumber(ARGV[12]))
  elseif op == 'drop' and etag == ARGV[11] then
    redis.call('DEL', KEYS[4])
  elseif op == 'forget' and etag == ARGV[11] and (redis.call('HGET', KEYS[4], 'w') or '') == ARGV[15] then
    redis.call('DEL', KEYS[4])
  end
end
return 1
