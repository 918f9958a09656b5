import type { Redis } from 'ioredis';
import { loggedOut, type AgentState } from '../agent-state.ts';
import { AppError } from '../../shared/errors.ts';
import { queueScore, type CallRegistration, type LiveState, type QueueEntry, type VersionedAgentState } from './live-state.ts';
import { withScripts, type ScriptedRedis } from './redis-scripts.ts';
import { refillMs, type TokenLimit } from '../../shared/token-bucket.ts';

export interface RedisLiveStateOptions {
  /** Every key starts with it, so several deployments (and test files) can share one Redis. */
  prefix: string;
  /** How long a call registration lives at most; a node that dies mid-call leaves nothing behind forever. */
  callTtlMs?: number;
  /** Called with every failed Redis operation (the container counts them in /metrics). */
  onError?: (err: unknown) => void;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The replies of a pipeline or transaction; the first failed command fails the whole. */
async function replies(exec: Promise<Array<[Error | null, unknown]> | null>): Promise<unknown[]> {
  const results = await exec;
  if (!results) throw new Error('Redis transaction was discarded');
  return results.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}

/**
 * Live state shared by every node through one Redis (standalone or Sentinel; the multi-key
 * scripts need all keys on one server). Layout under the prefix:
 * - `agent:<id>` hash {state: JSON, v: version}
 * - `waiting:<queue>` sorted set of call ids scored by queueScore (equal scores order by call id),
 *   `entries:<queue>` hash call id → QueueEntry JSON
 * - `call:<key>` registration JSON with a TTL, indexed by the `calls` sorted set (key → expiry ms)
 * - `nodes` sorted set node id → heartbeat expiry ms
 * - `callslots:<trunk>` hash {tokens, at, rate, burst}: a trunk's calls-per-second bucket, expiring when full again
 * - `tokens:<key>` hash {tokens, at, rate, burst}: any other token bucket (takeToken), likewise
 * The connection belongs to the caller (the container), which closes it.
 */
export class RedisLiveState implements LiveState {
  readonly kind = 'redis' as const;
  private readonly redis: ScriptedRedis;
  private readonly prefix: string;
  private readonly callTtlMs: number;
  private readonly onError: (err: unknown) => void;

  constructor(redis: Redis, opts: RedisLiveStateOptions) {
    this.redis = withScripts(redis);
    this.prefix = opts.prefix;
    this.callTtlMs = opts.callTtlMs ?? DAY_MS;
    this.onError = opts.onError ?? (() => {});
  }

  private agentKey = (id: string) => `${this.prefix}agent:${id}`;
  private queueKey = (queueId: string) => `${this.prefix}waiting:${queueId}`;
  private entriesKey = (queueId: string) => `${this.prefix}entries:${queueId}`;
  private callKey = (key: string) => `${this.prefix}call:${key}`;
  private get callIndexKey() {
    return `${this.prefix}calls`;
  }
  private get nodesKey() {
    return `${this.prefix}nodes`;
  }

  /** Runs one operation; a Redis failure is counted and becomes a 503 the caller can report. */
  private async op<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      this.onError(err);
      throw Object.assign(new AppError('UNAVAILABLE', `Shared live state (Redis) failed to ${what}; try again`), { cause: err });
    }
  }

  agentStates(agentIds: readonly string[]) {
    return this.op('read agent states', async () => {
      const out = new Map<string, VersionedAgentState>();
      if (!agentIds.length) return out;
      const pipe = this.redis.pipeline();
      for (const id of agentIds) pipe.hmget(this.agentKey(id), 'state', 'v');
      const results = await replies(pipe.exec());
      agentIds.forEach((id, i) => {
        const [state, v] = results[i] as [string | null, string | null];
        out.set(id, state ? { state: JSON.parse(state) as AgentState, version: Number(v) } : { state: loggedOut(0), version: 0 });
      });
      return out;
    });
  }

  setAgentState(agentId: string, expectedVersion: number, next: AgentState) {
    return this.op('change an agent state', () => this.redis.screenpopSetAgentState(this.agentKey(agentId), expectedVersion, JSON.stringify(next)));
  }

  enqueue(entry: QueueEntry) {
    return this.op('queue a caller', async () => {
      await replies(
        this.redis
          .multi()
          .zadd(this.queueKey(entry.queueId), queueScore(entry.priority, entry.enqueuedAt), entry.callId)
          .hset(this.entriesKey(entry.queueId), entry.callId, JSON.stringify(entry))
          .exec(),
      );
    });
  }

  waiting(queueId: string) {
    return this.op('read a queue', async () => {
      const raw = await this.redis.screenpopWaiting(this.queueKey(queueId), this.entriesKey(queueId));
      return raw.map((json) => JSON.parse(json) as QueueEntry);
    });
  }

  removeWaiting(queueId: string, callId: string) {
    return this.op('take a caller out of a queue', async () => {
      const [removed] = await replies(this.redis.multi().zrem(this.queueKey(queueId), callId).hdel(this.entriesKey(queueId), callId).exec());
      return removed === 1;
    });
  }

  claim(queueId: string, callId: string, agentId: string, expectedVersion: number, next: AgentState) {
    return this.op('claim a caller', () =>
      this.redis.screenpopClaim(this.queueKey(queueId), this.entriesKey(queueId), this.agentKey(agentId), callId, expectedVersion, JSON.stringify(next)),
    );
  }

  registerCall(key: string, reg: CallRegistration) {
    return this.op('register a call', async () => {
      const json = JSON.stringify({ callId: reg.callId, ownerNode: reg.ownerNode });
      return (await this.redis.screenpopRegisterCall(this.callKey(key), this.callIndexKey, json, this.callTtlMs, key)) === 1;
    });
  }

  findCall(key: string) {
    return this.op('find a call', async () => {
      const json = await this.redis.get(this.callKey(key));
      return json ? (JSON.parse(json) as CallRegistration) : null;
    });
  }

  unregisterCall(key: string) {
    return this.op('unregister a call', async () => {
      await replies(this.redis.multi().del(this.callKey(key)).zrem(this.callIndexKey, key).exec());
    });
  }

  liveCalls() {
    return this.op('list live calls', async () => {
      const keys = await this.redis.screenpopLiveCalls(this.callIndexKey);
      if (!keys.length) return [];
      const values = await this.redis.mget(keys.map((k) => this.callKey(k)));
      return keys.flatMap((key, i) => {
        const json = values[i];
        return json ? [{ ...(JSON.parse(json) as CallRegistration), key }] : [];
      });
    });
  }

  takeCallSlot(trunk: string, perSecond: number) {
    return this.op('check a trunk call rate', () => this.take(`${this.prefix}callslots:${trunk}`, { burst: perSecond, perSecond }));
  }

  takeToken(key: string, limit: TokenLimit) {
    return this.op('count against a limit', () => this.take(`${this.prefix}tokens:${key}`, limit));
  }

  private take(bucketKey: string, limit: TokenLimit) {
    // Numbers go as the strings the Lua compares: a rate like 1/3 does not survive Lua's own number formatting.
    return this.redis.screenpopTakeToken(bucketKey, String(limit.burst), String(limit.perSecond), refillMs(limit) + 1000);
  }

  heartbeat(nodeId: string, ttlMs: number) {
    return this.op('record a heartbeat', async () => {
      await this.redis.screenpopHeartbeat(this.nodesKey, nodeId, Math.round(ttlMs));
    });
  }

  liveNodes() {
    return this.op('list live nodes', async () => new Set(await this.redis.screenpopLiveNodes(this.nodesKey)));
  }

  /** Nothing of its own to close: the connection is the container's. */
  async close() {}
}
