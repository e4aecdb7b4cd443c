-- Turn an order's hold into a reservation (its payment succeeded).
-- KEYS as in hold.lua; ARGV[i] the quantity of the line in KEYS[i + 2].
-- Returns the record's state after the call: RESERVED (now or before), DEDUCTED (already picked up),
-- RELEASED (too late: given back), MISSING (never held), or NOSTOCK (store not loaded: nothing changed).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 'NOSTOCK'
end
local state = redis.call('HGET', KEYS[2], 'state')
-- PENDING: restored by a rebuild; an order only commits after its hold answered HELD
if state ~= 'HELD' and state ~= 'PENDING' then
  return state or 'MISSING'
end
for i = 3, #KEYS do
  local quantity = tonumber(ARGV[i - 2])
  redis.call('HINCRBY', KEYS[i], 'held', -quantity)
  redis.call('HINCRBY', KEYS[i], 'reserved', quantity)
end
redis.call('HSET', KEYS[2], 'state', 'RESERVED')
redis.call('INCR', KEYS[1])
return 'RESERVED'
