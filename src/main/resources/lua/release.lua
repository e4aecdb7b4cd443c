-- Give an order's hold or reservation back to available stock.
-- KEYS as in hold.lua; ARGV[i] the quantity of the line in KEYS[i + 2]; ARGV[#KEYS - 1] how long
-- (seconds) the finished record is kept.
-- Releasing an order never held leaves a RELEASED record, so a hold arriving late cannot take stock.
-- Returns RELEASED (now or before), DEDUCTED (picked up: nothing to give back) or NOSTOCK.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 'NOSTOCK'
end
local state = redis.call('HGET', KEYS[2], 'state')
if state == 'RELEASED' or state == 'DEDUCTED' then
  return state
end
-- PENDING: restored by a rebuild and counted as held
if state == 'HELD' or state == 'PENDING' or state == 'RESERVED' then
  local counter = (state == 'RESERVED') and 'reserved' or 'held'
  for i = 3, #KEYS do
    redis.call('HINCRBY', KEYS[i], counter, -tonumber(ARGV[i - 2]))
  end
end
redis.call('HSET', KEYS[2], 'state', 'RELEASED')
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[#KEYS - 1]))
redis.call('INCR', KEYS[1])
return 'RELEASED'
