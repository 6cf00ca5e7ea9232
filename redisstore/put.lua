#!lua
-- Put: keep a page GitHub sent, in place of any other under its key. KEYS: the page. ARGV:
-- ttl ms, then the page's fields and values (etag, header, body, to, conf, w).
--
-- The only script that adds what may be large, so the only one without allow-oom: Redis
-- checks its memory before running it and refuses it, as any write, past maxmemory.
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'at', now, unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
