-- Hold every line of one order, or none.
-- KEYS[1]    the store's ops counter          {prefix}:inventory:v1:{store}:ops
-- KEYS[2]    the order's hold record          {prefix}:inventory:v1:{store}:hold:<orderId>
-- KEYS[3..]  one stock hash per line          {prefix}:inventory:v1:{store}:stock:<sku>
-- ARGV[i]    the quantity of the line in KEYS[i + 2]; ARGV[#KEYS - 1] the hold's expiry (epoch ms)
-- Returns {'HELD'}; {'SHORT', line, available, ...} (1-based line numbers); {'EXISTS', state} when this
-- order already went through here; {'NOSTOCK'} when the store is not loaded in Redis (lost or new):
-- nothing changed, load it from Postgres and ask again. A PENDING record (left by a rebuild) is decided
-- here as if the hold were new.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'NOSTOCK'}
end
local state = redis.call('HGET', KEYS[2], 'state')
if state == 'PENDING' then
  -- A rebuild from Postgres found this hold claimed but could not know whether Redis had taken it, and
  -- counted it as held. Decide it now, counting its own lines out of the check.
  local short = {'SHORT'}
  for i = 3, #KEYS do
    local wanted = tonumber(ARGV[i - 2])
    local stock = redis.call('HMGET', KEYS[i], 'onHand', 'held', 'reserved')
    local available = (tonumber(stock[1]) or 0) - (tonumber(stock[2]) or 0) - (tonumber(stock[3]) or 0) + wanted
    if available < wanted then
      short[#short + 1] = i - 2
      short[#short + 1] = math.max(available, 0)
    end
  end
  if #short > 1 then
    for i = 3, #KEYS do
      redis.call('HINCRBY', KEYS[i], 'held', -tonumber(ARGV[i - 2]))
    end
    redis.call('DEL', KEYS[2])
    redis.call('INCR', KEYS[1])
    return short
  end
  redis.call('HSET', KEYS[2], 'state', 'HELD', 'expiresAt', ARGV[#KEYS - 1])
  redis.call('INCR', KEYS[1])
  return {'HELD'}
end
if state then
  return {'EXISTS', state}
end

local short = {'SHORT'}
for i = 3, #KEYS do
  local wanted = tonumber(ARGV[i - 2])
  local stock = redis.call('HMGET', KEYS[i], 'onHand', 'held', 'reserved')
  local available = (tonumber(stock[1]) or 0) - (tonumber(stock[2]) or 0) - (tonumber(stock[3]) or 0)
  if available < wanted then
    short[#short + 1] = i - 2
    short[#short + 1] = math.max(available, 0)
  end
end
if #short > 1 then
  return short
end

for i = 3, #KEYS do
  redis.call('HINCRBY', KEYS[i], 'held', tonumber(ARGV[i - 2]))
end
redis.call('HSET', KEYS[2], 'state', 'HELD', 'expiresAt', ARGV[#KEYS - 1])
redis.call('INCR', KEYS[1])
return {'HELD'}
