-- The ledger closed the hold otherwise than Redis's record says: a release found no record (Redis lost
-- its data and was loaded with open holds only) and left RELEASED for an order the ledger has DEDUCTED.
-- Neither state counts any stock, so only the answer to later repeats changes.
-- KEYS[1] the hold record; ARGV[1] the ledger's state. Returns 1 if the record was changed. Only a closed
-- state is taken: a record set back to an open one would give its stock back a second time.
if ARGV[1] ~= 'DEDUCTED' then
  return 0
end
if redis.call('HGET', KEYS[1], 'state') == 'RELEASED' then
  redis.call('HSET', KEYS[1], 'state', ARGV[1])
  return 1
end
return 0
