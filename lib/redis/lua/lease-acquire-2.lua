#!lua
--[[
  Takes a shard lease that is free (absent or expired: the TTL runs on the Redis clock), or steals it from
  an expected holder. The epoch only grows: it lives in the consumer's checkpoint hash, which never expires.

  KEYS[1]  lease            rf:{s<k>}:lease:<consumer>   string "owner:epoch", PX ttl
  KEYS[2]  checkpoint hash  rf:{s<k>}:ck:<consumer>      field "epoch"
  ARGV[1]  new owner id
  ARGV[2]  ttl ms
  ARGV[3]  expected current value to steal from ("" = only take a free lease)

  Returns  { 1, epoch } when taken; { 0, current value } when someone else holds it.
]]
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[3] then
  return { 0, current }
end
local epoch = redis.call('HINCRBY', KEYS[2], 'epoch', 1)
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. epoch, 'PX', ARGV[2])
return { 1, epoch }
