-- The order was picked up: its reservation leaves on-hand stock.
-- KEYS and ARGV as in hold.lua; ARGV[#KEYS] is how long (seconds) the deducted record is kept.
-- Returns DEDUCTED (now or before), or the state that forbids it (HELD, RELEASED, MISSING).
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'RESERVED' then
  return state or 'MISSING'
end
local keep = tonumber(ARGV[#KEYS])
for i = 2, #KEYS do
  local quantity = tonumber(ARGV[i - 1])
  redis.call('HINCRBY', KEYS[i], 'reserved', -quantity)
  redis.call('HINCRBY', KEYS[i], 'onHand', -quantity)
end
redis.call('HSET', KEYS[1], 'state', 'DEDUCTED')
redis.call('EXPIRE', KEYS[1], keep)
return 'DEDUCTED'
