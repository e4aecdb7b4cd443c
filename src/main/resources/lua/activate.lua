-- Ends a load: the store becomes visible to the stock scripts, unless another loader took over.
-- KEYS[1] the store's ops counter; KEYS[2] the store's load token. ARGV[1] this loader's token.
-- Returns 'OK' or 'STOP'.
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return 'STOP'
end
redis.call('SET', KEYS[1], '0')
redis.call('DEL', KEYS[2])
return 'OK'
