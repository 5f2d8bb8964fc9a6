// The Redis hub's Lua scripts: each runs atomically in Redis, so ids, history and fan-out agree.
//
// Keys per topic: `<prefix>id:<topic>` (its id counter), `<prefix>stream:<topic>` (its history,
// a Stream whose entry ids are `<event id>-1`), and one `<prefix>floor` holding the highest id
// ever handed out, so a topic made again after its keys expired starts above every id a client
// may still hold (the in-process hub's floor). Messages on `<prefix>ch:<topic>` read
// `<id> <kind> <body>`: kind `1` kept, `0` fleeting, `d` the topic was dropped.

/**
 * KEYS: id, stream, floor. ARGV: channel, body, history size, kept (1/0), ttl seconds, and the
 * highest id the publishing instance saw on the topic (a Redis that lost its data, or a command
 * resent after a reconnect, must not start the topic over below it). Returns the event's id.
 */
export const PUBLISH = `
local id
if ARGV[4] == '1' then
  if redis.call('EXISTS', KEYS[1]) == 0 then
    local seed = math.max(tonumber(redis.call('GET', KEYS[3]) or '0'), tonumber(ARGV[6]))
    local top = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
    if top[1] then seed = math.max(seed, tonumber(string.match(top[1][1], '^(%d+)'))) end
    redis.call('SET', KEYS[1], seed)
  end
  id = redis.call('INCR', KEYS[1])
  if id > tonumber(redis.call('GET', KEYS[3]) or '0') then redis.call('SET', KEYS[3], id) end
  if tonumber(ARGV[3]) > 0 then
    redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[3], id .. '-1', 'e', ARGV[2])
    redis.call('EXPIRE', KEYS[2], ARGV[5])
  end
  redis.call('EXPIRE', KEYS[1], ARGV[5])
else
  id = tonumber(redis.call('GET', KEYS[1]) or redis.call('GET', KEYS[3]) or '0')
end
redis.call('PUBLISH', ARGV[1], id .. ' ' .. ARGV[4] .. ' ' .. ARGV[2])
return id
`;

/**
 * KEYS: id, stream, floor. ARGV: since ("" for none). Returns {lastId, oldestId, id1, body1, ...}:
 * the topic's newest id, the oldest id still in history, and the kept events after `since`.
 */
export const READ = `
local last = tonumber(redis.call('GET', KEYS[1]) or redis.call('GET', KEYS[3]) or '0')
if ARGV[1] == '' or tonumber(ARGV[1]) >= last then return {last, last + 1} end
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
local oldest = last + 1
if first[1] then oldest = tonumber(string.match(first[1][1], '^(%d+)')) end
local out = {last, oldest}
for _, entry in ipairs(redis.call('XRANGE', KEYS[2], (tonumber(ARGV[1]) + 1) .. '-0', '+')) do
  out[#out + 1] = tonumber(string.match(entry[1], '^(%d+)'))
  out[#out + 1] = entry[2][2]
end
return out
`;

/**
 * KEYS: id, floor. ARGV: the highest id this instance saw on the topic, ttl seconds. After a Redis
 * restart without persistence, keeps the topic's ids going on above the ones clients hold.
 */
export const RAISE = `
local known = tonumber(ARGV[1])
if tonumber(redis.call('GET', KEYS[1]) or '0') < known then
  redis.call('SET', KEYS[1], known, 'EX', ARGV[2])
end
if tonumber(redis.call('GET', KEYS[2]) or '0') < known then redis.call('SET', KEYS[2], known) end
return 1
`;

/** KEYS: id, stream. ARGV: channel. Forgets the topic and tells every instance to close it. */
export const DROP = `
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('PUBLISH', ARGV[1], '0 d')
return 1
`;
