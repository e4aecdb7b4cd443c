-- Makes one store's projection equal to what Postgres says, unless Redis moved meanwhile.
-- KEYS[1]                 the store's ops counter: the fence, and the "store is loaded" marker
-- KEYS[2 .. 1+n]          the stock hash of each SKU of the store
-- KEYS[2+n ..]            the hold record of each open hold (HELD or RESERVED in Postgres), and of
--                         each hold Postgres recently REJECTED
-- ARGV[1]                 the ops counter as read before Postgres was read ('' if it did not exist)
-- ARGV[2]                 n
-- ARGV[3 .. 2+n]          on-hand of each SKU in Postgres
-- then per open hold:     its Postgres state, its line count L, then L pairs (SKU index 1..n, quantity)
--
-- A hold whose Redis record is further along than Postgres (commit, release or deduct applied in Redis,
-- its Postgres write still on the way) counts as Redis has it; every other figure comes from Postgres.
-- A hold Postgres has as HELD but Redis has no record of is either one Redis lost or one whose script has
-- not run yet: it is counted as held and recorded PENDING, for hold.lua to decide when it runs. A PENDING
-- record whose hold Postgres has since REJECTED is stale and removed.
-- Returns {'BUSY'} when an operation ran since ARGV[1] was read (nothing changed: read again), else
-- {'OK', sku index, field, was, now, ...} for every figure it corrected.
local current = redis.call('GET', KEYS[1])
if (current or '') ~= ARGV[1] then
  return {'BUSY'}
end
local n = tonumber(ARGV[2])
local rank = {PENDING = 1, HELD = 1, RESERVED = 2, DEDUCTED = 3, RELEASED = 3}
local held, reserved, onHand = {}, {}, {}
for i = 1, n do
  held[i] = 0
  reserved[i] = 0
  onHand[i] = tonumber(ARGV[2 + i])
end

local arg = 3 + n
for h = 2 + n, #KEYS do
  local pgState = ARGV[arg]
  local lineCount = tonumber(ARGV[arg + 1])
  arg = arg + 2
  local redisState = redis.call('HGET', KEYS[h], 'state')
  local state = pgState
  if pgState == 'REJECTED' then
    if redisState == 'PENDING' then
      redis.call('DEL', KEYS[h])
    end
    state = 'NONE'
  elseif redisState then
    if rank[redisState] >= rank[pgState] then
      state = redisState
    end
  elseif pgState == 'HELD' then
    state = 'PENDING'
  end
  for l = 1, lineCount do
    local sku = tonumber(ARGV[arg])
    local quantity = tonumber(ARGV[arg + 1])
    arg = arg + 2
    if state == 'HELD' or state == 'PENDING' then
      held[sku] = held[sku] + quantity
    elseif state == 'RESERVED' then
      reserved[sku] = reserved[sku] + quantity
    elseif state == 'DEDUCTED' then
      onHand[sku] = onHand[sku] - quantity
    end
  end
  if state == 'PENDING' or state == 'RESERVED' and redisState ~= 'RESERVED' then
    redis.call('HSET', KEYS[h], 'state', state)
  end
end

local result = {'OK'}
local fields = {'onHand', 'held', 'reserved'}
for i = 1, n do
  local want = {onHand[i], held[i], reserved[i]}
  local have = redis.call('HMGET', KEYS[1 + i], 'onHand', 'held', 'reserved')
  for f = 1, 3 do
    local was = tonumber(have[f])
    if was ~= want[f] then
      result[#result + 1] = i
      result[#result + 1] = fields[f]
      result[#result + 1] = was or -1
      result[#result + 1] = want[f]
    end
  end
  redis.call('HSET', KEYS[1 + i], 'onHand', want[1], 'held', want[2], 'reserved', want[3])
end
redis.call('SET', KEYS[1], current or '0')
return result
