#!lua
--[[
  Appends one request's events for one shard, dropping events whose id was seen within the dedupe horizon.
  The kept events share one stream entry (an aggregated record, as the Kinesis Producer Library makes);
  consumers address each event as (stream id, index).

  KEYS[1]  shard stream                       rf:{s<k>}:in
  KEYS[2]  dedupe bucket before the current   rf:{s<k>}:dd:<b-1>
  KEYS[3]  dedupe bucket now                  rf:{s<k>}:dd:<b>
  KEYS[4]  dedupe bucket after the current    rf:{s<k>}:dd:<b+1>   (tolerates clock skew between ingest nodes)
  ARGV[1]  unix ms at which the current bucket expires (PEXPIREAT, set once)
  ARGV[2]  the events as JSON objects joined by "\n" (JSON text never contains a raw newline)
  ARGV[3 .. 2+n]  dedupe members (site|eventId), one per event, in the same order

  Returns  { streamId | false, flags } where flags is a string of n characters, '1' = appended,
           '0' = duplicate (already stored within the horizon, or repeated in this call).
  The "#!lua" line without flags makes Redis refuse the whole script up front when it is out of memory,
  so it never leaves a dedupe mark without the matching append. Reads come before writes for the same reason.
]]
local n = #ARGV - 2
local keptMembers = {}
local flags = {}
local seen = {}
for i = 1, n do
  local member = ARGV[2 + i]
  if seen[member]
    or redis.call('SISMEMBER', KEYS[3], member) == 1
    or redis.call('SISMEMBER', KEYS[2], member) == 1
    or redis.call('SISMEMBER', KEYS[4], member) == 1 then
    flags[i] = '0'
  else
    seen[member] = true
    flags[i] = '1'
    keptMembers[#keptMembers + 1] = member
  end
end
if #keptMembers == 0 then
  return { false, table.concat(flags) }
end
local data
if #keptMembers == n then
  -- The common case, every event new: one pass in C instead of splitting.
  data = '[' .. string.gsub(ARGV[2], '\n', ',') .. ']'
else
  local kept = {}
  local i = 0
  for event in string.gmatch(ARGV[2], '[^\n]+') do
    i = i + 1
    if flags[i] == '1' then kept[#kept + 1] = event end
  end
  data = '[' .. table.concat(kept, ',') .. ']'
end
local id = redis.call('XADD', KEYS[1], '*', 'k', 'e', 'd', data)
redis.call('SADD', KEYS[3], unpack(keptMembers))
redis.call('PEXPIREAT', KEYS[3], ARGV[1], 'NX')
return { id, table.concat(flags) }
