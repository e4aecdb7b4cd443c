-- Writes one chunk of a store's projection while the store is being loaded from Postgres. Scripts
-- answer NOSTOCK until the store is activated, so nothing reads these keys meanwhile; the load token
-- makes sure only the latest loader of the store writes (another instance may be loading it too).
-- KEYS[1] the store's ops counter; KEYS[2] the store's load token; KEYS[3..] the keys of this chunk
-- ARGV[1] this loader's token; ARGV[2] 'STOCK' or 'HOLDS'
--   STOCK: per key, onHand, held, reserved      HOLDS: per key, the record's state (PENDING or RESERVED)
-- Returns 'OK', or 'STOP' when the store is loaded already or another loader took over.
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return 'STOP'
end
local arg = 3
for k = 3, #KEYS do
  if ARGV[2] == 'STOCK' then
    redis.call('HSET', KEYS[k], 'onHand', ARGV[arg], 'held', ARGV[arg + 1], 'reserved', ARGV[arg + 2])
    arg = arg + 3
  else
    redis.call('HSET', KEYS[k], 'state', ARGV[arg])
    arg = arg + 1
  end
end
return 'OK'
