#!lua
--[[
  Moves the archiver's checkpoint of one shard after a batch's files are durable, and counts the delivery.
  Fenced like the aggregator's commit: nothing is written unless the caller still holds the lease and the
  checkpoint is still where the batch started (all checks come before the first write; Redis has no rollback).

  KEYS[1]  checkpoint hash   rf:{s<k>}:ck:archiver     fields: id, committedAtMs (epoch: the lease script's)
  KEYS[2]  lease             rf:{s<k>}:lease:archiver  "owner:epoch"
  KEYS[3]  status hash       rf:{s<k>}:arch:status     checkpointId, lastDeliveryAtMs, lastFile, counters
  ARGV[1]  "owner:epoch" of the committing worker
  ARGV[2]  the checkpoint the batch was read after ("" when the shard has never been checkpointed)
  ARGV[3]  the new checkpoint (the batch's last entry, or the last tick when only ticks were passed over)
  ARGV[4]  records archived    ARGV[5] files written (data files, manifests not counted)
  ARGV[6]  gzip bytes          ARGV[7] uncompressed bytes
  ARGV[8]  records sent to errors/ (transformation failed)    ARGV[9] records the transformation dropped
  ARGV[10] path of the batch's last data file, relative to the archive root ("" = checkpoint-only move)

  Returns  "OK"; "FENCED" when the lease is not the caller's (it must stop archiving the shard);
           "STALE" when the checkpoint moved (another owner, or a re-sent commit that already applied).
]]
if redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return 'FENCED'
end
if (redis.call('HGET', KEYS[1], 'id') or '') ~= ARGV[2] then
  return 'STALE'
end
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], 'id', ARGV[3], 'committedAtMs', nowMs)
redis.call('HSET', KEYS[3], 'checkpointId', ARGV[3], 'committedAtMs', nowMs)
if ARGV[10] ~= '' then
  redis.call('HSET', KEYS[3], 'lastDeliveryAtMs', nowMs, 'lastFile', ARGV[10])
  redis.call('HINCRBY', KEYS[3], 'records', ARGV[4])
  redis.call('HINCRBY', KEYS[3], 'files', ARGV[5])
  redis.call('HINCRBY', KEYS[3], 'bytes', ARGV[6])
  redis.call('HINCRBY', KEYS[3], 'uncompressedBytes', ARGV[7])
  redis.call('HINCRBY', KEYS[3], 'failedRecords', ARGV[8])
  redis.call('HINCRBY', KEYS[3], 'droppedRecords', ARGV[9])
  redis.call('HINCRBY', KEYS[3], 'batches', 1)
end
return 'OK'
