-- The order was picked up: its reservation leaves on-hand stock.
-- KEYS as in hold.lua; ARGV[i] the quantity of the line in KEYS[i + 2]; ARGV[#KEYS - 1] how long
-- (seconds) the finished record is kept.
-- Returns DEDUCTED (now or before), the state that forbids it (HELD, RELEASED, MISSING), or NOSTOCK.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 'NOSTOCK'
end
local state = redis.call('HGET', KEYS[2], 'state')
if state ~= 'RESERVED' then
  return state or 'MISSING'
end
for i = 3, #KEYS do
  local quantity = tonumber(ARGV[i - 2])
  redis.call('HINCRBY', KEYS[i], 'reserved', -quantity)
  redis.call('HINCRBY', KEYS[i], 'onHand', -quantity)
end
redis.call('HSET', KEYS[2], 'state', 'DEDUCTED')
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[#KEYS - 1]))
redis.call('INCR', KEYS[1])
return 'DEDUCTED'
