import type { Redis } from 'ioredis';

// The Lua scripts behind RedisLiveState. Each runs atomically on the Redis server: that is what
// lets several nodes claim callers and agents without ever giving one agent two calls or one call
// to two agents. Times come from the server's clock (TIME), so nodes with skewed clocks agree on
// which heartbeats and registrations have expired.

const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const SCRIPTS = {
  /** KEYS: agent hash. ARGV: expected version, state JSON. The new version, or nil when the version moved on. */
  screenpopSetAgentState: {
    numberOfKeys: 1,
    lua: `local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if v ~= tonumber(ARGV[1]) then return false end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'v', v + 1)
return v + 1`,
  },
  /** KEYS: queue zset, queue entries hash, agent hash. ARGV: call id, expected version, state JSON. */
  screenpopClaim: {
    numberOfKeys: 3,
    lua: `if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return false end
local v = tonumber(redis.call('HGET', KEYS[3], 'v') or '0')
if v ~= tonumber(ARGV[2]) then return false end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], 'state', ARGV[3], 'v', v + 1)
return v + 1`,
  },
  /** KEYS: queue zset, queue entries hash. The entries' JSON, best first. */
  screenpopWaiting: {
    numberOfKeys: 2,
    readOnly: true,
    lua: `local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local e = redis.call('HGET', KEYS[2], id)
  if e then out[#out + 1] = e end
end
return out`,
  },
  /** KEYS: registration key, registrations index zset. ARGV: registration JSON, ttl ms, index member. 1 when taken. */
  screenpopRegisterCall: {
    numberOfKeys: 2,
    lua: `if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
${NOW_MS}
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[3])
return 1`,
  },
  /** KEYS: registrations index zset. The members whose registration has not expired (expired ones are dropped). */
  screenpopLiveCalls: {
    numberOfKeys: 1,
    lua: `${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZRANGE', KEYS[1], 0, -1)`,
  },
  /** KEYS: nodes zset. ARGV: node id, ttl ms. Nodes silent for a day are forgotten. */
  screenpopHeartbeat: {
    numberOfKeys: 1,
    lua: `${NOW_MS}
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 86400000)
return 1`,
  },
  /**
   * KEYS: the bucket hash. ARGV: burst, tokens per second (both as the caller wrote them, compared
   * as strings), ms until it may expire. shared/token-bucket.ts's takeToken in Lua: 0 when a token
   * was taken, else the seconds to wait. The bucket expires once idling would have refilled it anyway.
   */
  screenpopTakeToken: {
    numberOfKeys: 1,
    lua: `${NOW_MS}
local burst, rate = tonumber(ARGV[1]), tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'rate', 'burst')
local tokens, at = tonumber(b[1]), tonumber(b[2])
if tokens == nil or at == nil or b[3] ~= ARGV[2] or b[4] ~= ARGV[1] then tokens, at = burst, now end
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.max(1, math.ceil((1 - tokens) / rate)) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now, 'rate', ARGV[2], 'burst', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return wait`,
  },
  /** KEYS: nodes zset. The nodes whose heartbeat has not expired. */
  screenpopLiveNodes: {
    numberOfKeys: 1,
    readOnly: true,
    lua: `${NOW_MS}
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')`,
  },
} as const;

/** A Redis client with the scripts defined (ioredis runs them by EVALSHA, loading them when missing). */
export interface ScriptedRedis extends Redis {
  screenpopSetAgentState(agentKey: string, expectedVersion: number, state: string): Promise<number | null>;
  screenpopClaim(queueKey: string, entriesKey: string, agentKey: string, callId: string, expectedVersion: number, state: string): Promise<number | null>;
  screenpopWaiting(queueKey: string, entriesKey: string): Promise<string[]>;
  screenpopRegisterCall(callKey: string, indexKey: string, reg: string, ttlMs: number, member: string): Promise<number>;
  screenpopLiveCalls(indexKey: string): Promise<string[]>;
  screenpopTakeToken(bucketKey: string, burst: string, perSecond: string, expireMs: number): Promise<number>;
  screenpopHeartbeat(nodesKey: string, nodeId: string, ttlMs: number): Promise<number>;
  screenpopLiveNodes(nodesKey: string): Promise<string[]>;
}

/** Defines the scripts on a client (defining them again on a shared client is harmless). */
export function withScripts(redis: Redis): ScriptedRedis {
  for (const [name, def] of Object.entries(SCRIPTS)) redis.defineCommand(name, def);
  return redis as ScriptedRedis;
}
