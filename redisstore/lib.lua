-- Shared by every script, composed right after its shebang line: Redis's clock, and the
-- checks that keep values these scripts did not write (a corrupted or hostile Redis) from
-- making them fail, or from making a later call fail.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

-- MAXMS bounds any span of time the scripts compute or pass on, in milliseconds: Go's
-- time.Duration holds about 292 years (9.22e12 ms), and Lua's numbers hold whole numbers
-- exactly far beyond that.
local MAXMS = 9000000000000

-- instant returns v as a time in unix milliseconds, or nil when it is none: not a number, not
-- whole, or so far from now that the span between them is no duration.
local function instant(v)
  local n = tonumber(v)
  if n == nil or n ~= n or n ~= math.floor(n) or math.abs(n - now) > MAXMS then
    return nil
  end
  return n
end

-- short returns v when it is a string of at most n bytes, else '': a field too long to be
-- one these scripts wrote is not passed on.
local function short(v, n)
  if type(v) ~= 'string' or #v > n then
    return ''
  end
  return v
end

-- untilIn adds member to the sorted set key, scored by the time ms from now, and keeps key at
-- least that long: slots taken, and slots given back before they were taken.
local function untilIn(key, member, ms)
  redis.call('ZADD', key, now + ms, member)
  if redis.call('PTTL', key) < ms then
    redis.call('PEXPIRE', key, ms)
  end
end

-- expire removes the members of the sorted set key whose time has come.
local function expire(key)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
end

-- kind leaves key of type want, or absent: a key of another type was not written by these
-- scripts, and would make every command on it fail.
local function kind(key, want)
  local k = redis.call('TYPE', key)['ok']
  if k ~= 'none' and k ~= want then
    redis.call('DEL', key)
  end
end
