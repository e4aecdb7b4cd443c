-- A hold Redis refused (SHORT) has been marked REJECTED in Postgres. If a rebuild ran in between, it
-- counted the hold as held and left a PENDING record: take both back out.
-- KEYS as in hold.lua; ARGV[i] the quantity of the line in KEYS[i + 2].
-- Returns UNCOUNTED when it corrected a rebuild's count, else NONE (or NOSTOCK: store not loaded).
if redis.call('EXISTS', KEYS[1]) == 0 then
  -- store not loaded: its rebuild will read the rejection from Postgres
  return 'NOSTOCK'
end
local state = redis.call('HGET', KEYS[2], 'state')
-- the fence moves either way, so a rebuild that read Postgres before the rejection retries
redis.call('INCR', KEYS[1])
if state ~= 'PENDING' then
  return 'NONE'
end
for i = 3, #KEYS do
  redis.call('HINCRBY', KEYS[i], 'held', -tonumber(ARGV[i - 2]))
end
redis.call('DEL', KEYS[2])
return 'UNCOUNTED'
