-- Hold every line of one order, or none.
-- KEYS[1]    the store's ops counter          {prefix}:inventory:v1:{store}:ops
-- KEYS[2]    the order's hold record          {prefix}:inventory:v1:{store}:hold:<orderId>
-- KEYS[3..]  one stock hash per line          {prefix}:inventory:v1:{store}:stock:<sku>
-- ARGV[i]    the quantity of the line in KEYS[i + 2]; ARGV[#KEYS - 1] the hold's expiry (epoch ms)
-- Returns {'HELD'}; {'SHORT', line, available, ...} (1-based line numbers); {'EXISTS', state} when this
-- order already went through here; {'NOSTOCK'} when the store is not loaded in Redis (lost or new):
-- nothing changed, load it from Postgres and ask again.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'NOSTOCK'}
end
local state = redis.call('HGET', KEYS[2], 'state')
if state and state ~= 'PENDING' then
  return {'EXISTS', state}
end
-- PENDING: a rebuild from Postgres found this hold claimed, could not know whether Redis had taken it,
-- and counted it as held. It is decided now like a new hold, with its own lines counted out.
local counted = (state == 'PENDING')

local short = {'SHORT'}
for i = 3, #KEYS do
  local wanted = tonumber(ARGV[i - 2])
  local stock = redis.call('HMGET', KEYS[i], 'onHand', 'held', 'reserved')
  local available = (tonumber(stock[1]) or 0) - (tonumber(stock[2]) or 0) - (tonumber(stock[3]) or 0)
  if counted then
    available = available + wanted
  end
  if available < wanted then
    short[#short + 1] = i - 2
    short[#short + 1] = math.max(available, 0)
  end
end

if #short > 1 then
  if counted then
    for i = 3, #KEYS do
      redis.call('HINCRBY', KEYS[i], 'held', -tonumber(ARGV[i - 2]))
    end
    redis.call('DEL', KEYS[2])
  end
  -- counted even when nothing changed: a rebuild reading Postgres right now would still see this hold
  -- as HELD, and must not apply that stale view
  redis.call('INCR', KEYS[1])
  return short
end

if not counted then
  for i = 3, #KEYS do
    redis.call('HINCRBY', KEYS[i], 'held', tonumber(ARGV[i - 2]))
  end
end
redis.call('HSET', KEYS[2], 'state', 'HELD', 'expiresAt', ARGV[#KEYS - 1])
redis.call('INCR', KEYS[1])
return {'HELD'}
