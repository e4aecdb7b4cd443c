-- Give an order's hold or reservation back to available stock.
-- KEYS and ARGV as in hold.lua; ARGV[#KEYS] is how long (seconds) the released record is kept.
-- A release of an order never held leaves a RELEASED record behind, so a hold that arrives late
-- (after its order was given up) cannot take stock any more.
-- Returns RELEASED (now or before) or DEDUCTED (picked up: nothing to give back).
local state = redis.call('HGET', KEYS[1], 'state')
local keep = tonumber(ARGV[#KEYS])
if state == 'RELEASED' or state == 'DEDUCTED' then
  return state
end
if state == 'HELD' or state == 'RESERVED' then
  local counter = (state == 'HELD') and 'held' or 'reserved'
  for i = 2, #KEYS do
    redis.call('HINCRBY', KEYS[i], counter, -tonumber(ARGV[i - 1]))
  end
end
redis.call('HSET', KEYS[1], 'state', 'RELEASED')
redis.call('EXPIRE', KEYS[1], keep)
return 'RELEASED'
