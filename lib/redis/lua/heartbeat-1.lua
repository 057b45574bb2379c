#!lua
--[[
  Records that a worker is alive (on the Redis clock) and returns the workers seen within the liveness window,
  which lease balancing divides the shards among.

  KEYS[1]  worker registry   rf:workers:<consumer>   sorted set: worker id → last heartbeat (ms)
  ARGV[1]  worker id
  ARGV[2]  liveness window ms

  Returns  the ids of live workers, sorted.
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 10 * tonumber(ARGV[2]))
local live = redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[2]), '+inf')
table.sort(live)
return live
