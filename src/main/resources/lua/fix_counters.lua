-- Sets the counters of SKUs found different from Postgres twice in a row, unless any stock script ran
-- since the fence was read (then nothing changes and the check is repeated later).
-- KEYS[1] the store's ops counter; KEYS[2..] the stock hash of each SKU to fix
-- ARGV[1] the ops counter as read before Postgres was read; then per SKU: onHand, held, reserved
-- Returns {'BUSY'} or {'OK', sku index, field, was, now, ...} for every figure changed.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return {'BUSY'}
end
local result = {'OK'}
local fields = {'onHand', 'held', 'reserved'}
for k = 2, #KEYS do
  local want = {tonumber(ARGV[3 * k - 4]), tonumber(ARGV[3 * k - 3]), tonumber(ARGV[3 * k - 2])}
  local have = redis.call('HMGET', KEYS[k], 'onHand', 'held', 'reserved')
  for f = 1, 3 do
    local was = tonumber(have[f])
    if was ~= want[f] then
      result[#result + 1] = k - 1
      result[#result + 1] = fields[f]
      result[#result + 1] = was or -1
      result[#result + 1] = want[f]
    end
  end
  redis.call('HSET', KEYS[k], 'onHand', want[1], 'held', want[2], 'reserved', want[3])
end
redis.call('INCR', KEYS[1])
return result
