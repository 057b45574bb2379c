#!lua
--[[
  Gives a lease back (graceful shutdown) so another worker can take it at once instead of waiting for the TTL.

  KEYS[1]  lease   rf:{s<k>}:lease:<consumer>
  ARGV[1]  "owner:epoch" the caller holds

  Returns  1 when released; 0 when it was not the caller's any more.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
