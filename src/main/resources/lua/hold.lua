-- Hold every line of one order, or none.
-- KEYS[1]    the order's hold record        {prefix}:inventory:v1:{store}:hold:<orderId>
-- KEYS[2..]  one stock hash per line         {prefix}:inventory:v1:{store}:stock:<sku>
-- ARGV[1..]  the quantity of each line, in KEYS order (ARGV[i] belongs to KEYS[i + 1])
-- Returns {'HELD'}; {'SHORT', line, available, line, available, ...} with 1-based line numbers;
-- or {'EXISTS', state} when this order already went through here (repeating changes nothing).
local state = redis.call('HGET', KEYS[1], 'state')
if state then
  return {'EXISTS', state}
end

local short = {'SHORT'}
for i = 2, #KEYS do
  local wanted = tonumber(ARGV[i - 1])
  local stock = redis.call('HMGET', KEYS[i], 'onHand', 'held', 'reserved')
  local available = (tonumber(stock[1]) or 0) - (tonumber(stock[2]) or 0) - (tonumber(stock[3]) or 0)
  if available < wanted then
    short[#short + 1] = i - 1
    short[#short + 1] = math.max(available, 0)
  end
end
if #short > 1 then
  return short
end

for i = 2, #KEYS do
  redis.call('HINCRBY', KEYS[i], 'held', tonumber(ARGV[i - 1]))
end
redis.call('HSET', KEYS[1], 'state', 'HELD')
return {'HELD'}
