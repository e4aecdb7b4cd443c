-- Token bucket: one request takes a token; tokens come back at ARGV[2] per second up to ARGV[1].
-- KEYS[1] the bucket (a hash: tokens, at). ARGV[1] capacity (the burst), ARGV[2] refill per second,
-- ARGV[3] now in milliseconds (the service's clock, so all members agree and tests can move it).
-- Returns {1, 0} when allowed, or {0, milliseconds until a token is back} when refused.
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or capacity
local at = tonumber(bucket[2]) or now
if now > at then
  tokens = math.min(capacity, tokens + (now - at) * rate / 1000)
  at = now
end
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
-- an idle bucket is full again after capacity / rate seconds: no need to keep it longer
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity * 1000 / rate) + 1000)
return {allowed, wait}
