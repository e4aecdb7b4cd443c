-- Change the on-hand quantity of one SKU, unless available stock would drop below zero.
-- KEYS[1] the store's ops counter; KEYS[2] the stock hash.
-- ARGV[1] 'SET' or 'ADD'; ARGV[2] the new quantity (SET) or the signed delta (ADD).
-- Returns {'OK', onHand, held, reserved}, {'BELOW', onHand, held, reserved} (nothing changed) or
-- {'NOSTOCK'} (store not loaded).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'NOSTOCK'}
end
local stock = redis.call('HMGET', KEYS[2], 'onHand', 'held', 'reserved')
local onHand = tonumber(stock[1]) or 0
local held = tonumber(stock[2]) or 0
local reserved = tonumber(stock[3]) or 0
local wanted = tonumber(ARGV[2])
if ARGV[1] == 'ADD' then
  wanted = onHand + wanted
end
if wanted < held + reserved then
  return {'BELOW', onHand, held, reserved}
end
redis.call('HSET', KEYS[2], 'onHand', wanted, 'held', held, 'reserved', reserved)
redis.call('INCR', KEYS[1])
return {'OK', wanted, held, reserved}
