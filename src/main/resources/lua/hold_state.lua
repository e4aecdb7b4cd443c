-- What became of an order's hold, changing nothing: its record's state (HELD, PENDING, RESERVED, DEDUCTED,
-- RELEASED), NONE when Redis never took the hold (or refused it), or NOSTOCK when the store is not loaded
-- (load it from Postgres and ask again: claimed holds come back PENDING).
-- KEYS as in hold.lua; only the first two are read.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 'NOSTOCK'
end
return redis.call('HGET', KEYS[2], 'state') or 'NONE'
