#!lua
--[[
  Commits one folded batch of a shard, atomically: state deltas, outbox entries (FINALs and live values),
  FINAL results, late counts and the checkpoint — or nothing. Everything is checked before the first write
  (Redis has no rollback); "#!lua" without flags refuses the whole script up front when Redis is out of memory.

  KEYS[1]  checkpoint hash   rf:{s<k>}:ck:aggregator     fields: id, epoch, committedAtMs, events, entries,
                                                          entriesBase
  KEYS[2]  lease             rf:{s<k>}:lease:aggregator  "owner:epoch"
  KEYS[3]  outbox stream     rf:{s<k>}:out               bounded with MAXLEN ~
  KEYS[4]  state hash        rf:{s<k>}:agg:state         "<def>@<version>|<cell>" → serialized cell
  KEYS[5]  late hash         rf:{s<k>}:agg:late          "<def>@<version>|<site>|<start>|<end>" → count
  KEYS[6..] one results zset per definition with FINALs in this batch
                             rf:{s<k>}:agg:res:<def>@<version>   score = window end, member = result JSON
  (the key count varies with the batch, hence "-n": the caller passes it first, as EVALSHA's numkeys)
  ARGV[1]  "owner:epoch" of the committing worker
  ARGV[2]  the checkpoint id the batch was read after ("" when the shard has never been committed)
  ARGV[3]  the new checkpoint id (the last entry of the batch)
  ARGV[4]  outbox MAXLEN
  ARGV[5]  (unused, kept for the layout) — each results set carries its own retention bound, below
  ARGV[6..9]   counts: state sets, state deletes, outbox entries, late counters
  ARGV[10] number of events in the batch (added to the checkpoint hash's `events` counter)
  ARGV[11] number of stream entries in the batch (the checkpoint hash's `entries` counter)
  ARGV[12] on a shard's first commit, the entries the stream had lost before this consumer started
           (`entriesBase`, for gap accounting); "" otherwise
  then     state sets as field, value pairs; state deletes as fields; outbox entries as JSON strings;
           late counters as field, increment pairs; then for each results key KEYS[6..] in order: the
           window end below which its old results are dropped, its count r, and r score, member pairs

  Returns  "OK"; "FENCED" when the lease is not the caller's (a paused or partitioned worker: it must stop);
           "STALE" when the checkpoint moved (a re-sent commit, or another owner committed): nothing written.
]]
if redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return 'FENCED'
end
local current = redis.call('HGET', KEYS[1], 'id') or ''
if current ~= ARGV[2] then
  return 'STALE'
end

local nSet, nDel, nOut, nLate = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
if not (nSet and nDel and nOut and nLate) then
  return redis.error_reply('BADARGS commit counts are not numbers')
end
-- Check the whole argument layout before the first write.
local expected = 12 + 2 * nSet + nDel + nOut + 2 * nLate
for k = 6, #KEYS do
  local r = tonumber(ARGV[expected + 2])
  if not r or not tonumber(ARGV[expected + 1]) then
    return redis.error_reply('BADARGS commit results counts do not match the keys')
  end
  expected = expected + 2 + 2 * r
end
if #ARGV ~= expected then
  return redis.error_reply('BADARGS commit argument counts do not match')
end

local i = 13
-- HSET / HDEL / ZADD in chunks: unpack() of thousands of values would overflow Lua's C stack.
local CHUNK = 400
local function chunked(command, key, first, count, width)
  local pos = first
  local remaining = count
  while remaining > 0 do
    local take = math.min(remaining, CHUNK)
    local args = {}
    for j = 0, take * width - 1 do
      args[#args + 1] = ARGV[pos + j]
    end
    redis.call(command, key, unpack(args))
    pos = pos + take * width
    remaining = remaining - take
  end
  return pos
end

i = chunked('HSET', KEYS[4], i, nSet, 2)
i = chunked('HDEL', KEYS[4], i, nDel, 1)
for _ = 1, nOut do
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', 'd', ARGV[i])
  i = i + 1
end
for _ = 1, nLate do
  redis.call('HINCRBY', KEYS[5], ARGV[i], ARGV[i + 1])
  i = i + 2
end
for k = 6, #KEYS do
  local minEnd = ARGV[i]
  local r = tonumber(ARGV[i + 1])
  i = chunked('ZADD', KEYS[k], i + 2, r, 2)
  redis.call('ZREMRANGEBYSCORE', KEYS[k], '-inf', '(' .. minEnd)
end

local t = redis.call('TIME')
redis.call('HSET', KEYS[1], 'id', ARGV[3], 'committedAtMs', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
redis.call('HINCRBY', KEYS[1], 'events', ARGV[10])
redis.call('HINCRBY', KEYS[1], 'entries', ARGV[11])
if ARGV[12] ~= '' then
  redis.call('HSETNX', KEYS[1], 'entriesBase', ARGV[12])
end
return 'OK'
