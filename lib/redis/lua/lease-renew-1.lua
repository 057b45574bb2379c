#!lua
--[[
  Extends a lease its holder still owns.

  KEYS[1]  lease   rf:{s<k>}:lease:<consumer>
  ARGV[1]  "owner:epoch" the caller believes it holds
  ARGV[2]  ttl ms

  Returns  1 when renewed; 0 when the lease expired or belongs to someone else (the caller must stop).
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
