-- Set the on-hand quantity of one SKU, unless it would drop below what orders hold or reserve.
-- KEYS[1] the stock hash; ARGV[1] the new on-hand quantity.
-- Returns {'OK', onHand, held, reserved} or {'BELOW', onHand, held, reserved} (nothing changed).
local stock = redis.call('HMGET', KEYS[1], 'onHand', 'held', 'reserved')
local held = tonumber(stock[2]) or 0
local reserved = tonumber(stock[3]) or 0
local wanted = tonumber(ARGV[1])
if wanted < held + reserved then
  return {'BELOW', tonumber(stock[1]) or 0, held, reserved}
end
redis.call('HSET', KEYS[1], 'onHand', wanted, 'held', held, 'reserved', reserved)
return {'OK', wanted, held, reserved}
