-- Turn an order's hold into a reservation (its payment succeeded).
-- KEYS and ARGV as in hold.lua.
-- Returns the record's state after the call: RESERVED (done now or before), DEDUCTED (already picked
-- up), RELEASED (too late: the hold was given back) or MISSING (nothing was held).
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'HELD' then
  return state or 'MISSING'
end
for i = 2, #KEYS do
  local quantity = tonumber(ARGV[i - 1])
  redis.call('HINCRBY', KEYS[i], 'held', -quantity)
  redis.call('HINCRBY', KEYS[i], 'reserved', quantity)
end
redis.call('HSET', KEYS[1], 'state', 'RESERVED')
return 'RESERVED'
