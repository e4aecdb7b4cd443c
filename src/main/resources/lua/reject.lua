-- A hold Redis refused (SHORT) has been marked REJECTED in Postgres. If a rebuild ran in between, it
-- counted the hold as held and left a PENDING record: take both back out.
-- KEYS as in hold.lua; ARGV[i] the quantity of the line in KEYS[i + 2].
-- Returns UNCOUNTED when it corrected a rebuild's count, else NONE.
local state = redis.call('HGET', KEYS[2], 'state')
if state ~= 'PENDING' then
  return 'NONE'
end
for i = 3, #KEYS do
  redis.call('HINCRBY', KEYS[i], 'held', -tonumber(ARGV[i - 2]))
end
redis.call('DEL', KEYS[2])
redis.call('INCR', KEYS[1])
return 'UNCOUNTED'
