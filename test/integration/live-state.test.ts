import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentState } from '../../src/routing/agent-state.ts';
import type { LiveState, QueueEntry } from '../../src/routing/live/live-state.ts';
import { MemoryLiveState } from '../../src/routing/live/memory-live-state.ts';
import { RedisLiveState } from '../../src/routing/live/redis-live-state.ts';
import { TestRedis, testRedisUrl } from '../helpers/redis.ts';

const redisUrl = testRedisUrl();
if (!redisUrl) console.log('[live-state] no Redis (set REDIS_URL): the RedisLiveState half of the contract skips');

/**
 * Two views of one shared state, as two nodes see it. In-process there is one node; on Redis
 * each view has its own connection, so contention really races on the server.
 */
interface Setup {
  nodes: [LiveState, LiveState];
  close(): Promise<void>;
}

const implementations: Array<{ name: string; setup: () => Setup }> = [
  {
    name: 'MemoryLiveState',
    setup: () => {
      const live = new MemoryLiveState();
      return { nodes: [live, live], close: () => live.close() };
    },
  },
  ...(redisUrl
    ? [
        {
          name: 'RedisLiveState',
          setup: () => {
            const redis = new TestRedis(redisUrl);
            const make = () => new RedisLiveState(redis.connection(), { prefix: redis.prefix });
            return { nodes: [make(), make()] as [LiveState, LiveState], close: () => redis.close() };
          },
        },
      ]
    : []),
];

const ready = (since = 1): AgentState => ({ status: 'ready', since });
const ringing = (callId: string): AgentState => ({ status: 'ringing', since: 2, callId });

function entry(callId: string, priority: number, enqueuedAt: number, extra: Partial<QueueEntry> = {}): QueueEntry {
  return {
    callId,
    queueId: 'support',
    ownerNode: 'node-a',
    priority,
    enqueuedAt,
    tried: [],
    caller: { number: '+14155550123', maskedNumber: '+1********23', customerName: 'Ada', customerId: 7, withheld: false },
    ...extra,
  };
}

const ids = (entries: QueueEntry[]) => entries.map((e) => e.callId);

describe.each(implementations)('the LiveState contract on $name', ({ setup }) => {
  let s: Setup;
  let a: LiveState;
  let b: LiveState;
  beforeEach(() => {
    s = setup();
    [a, b] = s.nodes;
  });
  afterEach(() => s.close());

  it('knows an agent never seen as logged out at version 0', async () => {
    const states = await a.agentStates(['1', '2']);
    expect([...states]).toEqual([
      ['1', { state: { status: 'logged_out', since: 0 }, version: 0 }],
      ['2', { state: { status: 'logged_out', since: 0 }, version: 0 }],
    ]);
    expect((await a.agentStates([])).size).toBe(0);
  });

  it('changes an agent state only from the version it was read at', async () => {
    expect(await a.setAgentState('1', 0, ready())).toBe(1);
    expect(await b.setAgentState('1', 0, { status: 'not_ready', since: 5, reason: 'break' })).toBeNull();
    expect((await b.agentStates(['1'])).get('1')).toEqual({ state: ready(), version: 1 });
    expect(await b.setAgentState('1', 1, { status: 'not_ready', since: 5, reason: 'break' })).toBe(2);
    expect((await a.agentStates(['1'])).get('1')).toEqual({ state: { status: 'not_ready', since: 5, reason: 'break' }, version: 2 });
  });

  it('orders callers by priority, then longest wait, then call id, and a re-queued caller keeps its place', async () => {
    await a.enqueue(entry('c-late', 10, 3000));
    await a.enqueue(entry('c-vip', 80, 5000));
    await b.enqueue(entry('c-b-tie', 10, 2000));
    await b.enqueue(entry('c-a-tie', 10, 2000));
    await a.enqueue(entry('c-first', 10, 1000));
    await a.enqueue(entry('other-queue', 99, 1, { queueId: 'sales' }));
    expect(ids(await b.waiting('support'))).toEqual(['c-vip', 'c-first', 'c-a-tie', 'c-b-tie', 'c-late']);
    expect(ids(await b.waiting('sales'))).toEqual(['other-queue']);
    expect(await a.waiting('nobody')).toEqual([]);

    // Rang an agent, timed out, back in the queue with the same enqueue time: same place, new "tried".
    expect(await a.removeWaiting('support', 'c-first')).toBe(true);
    await b.enqueue(entry('c-first', 10, 1000, { tried: ['4'] }));
    const again = await a.waiting('support');
    expect(ids(again)).toEqual(['c-vip', 'c-first', 'c-a-tie', 'c-b-tie', 'c-late']);
    expect(again[1]).toEqual(entry('c-first', 10, 1000, { tried: ['4'] }));

    // Queueing a caller already there replaces its entry rather than adding a second.
    await a.enqueue(entry('c-late', 10, 3000, { tried: ['5'] }));
    const late = (await b.waiting('support')).filter((e) => e.callId === 'c-late');
    expect(late).toEqual([entry('c-late', 10, 3000, { tried: ['5'] })]);
  });

  it('takes a caller out of the queue once', async () => {
    await a.enqueue(entry('c1', 10, 1000));
    const [first, second] = await Promise.all([a.removeWaiting('support', 'c1'), b.removeWaiting('support', 'c1')]);
    expect([first, second].filter(Boolean)).toEqual([true]);
    expect(await a.removeWaiting('support', 'c1')).toBe(false);
    expect(await a.removeWaiting('support', 'never-queued')).toBe(false);
    expect(await b.waiting('support')).toEqual([]);
  });

  it('claims a waiting caller for an agent at the expected version, and nothing otherwise', async () => {
    await a.enqueue(entry('c1', 10, 1000));
    await a.enqueue(entry('c2', 10, 2000));
    expect(await a.setAgentState('1', 0, ready())).toBe(1);

    expect(await b.claim('support', 'c1', '1', 0, ringing('c1'))).toBeNull(); // stale version
    expect(await b.claim('support', 'gone', '1', 1, ringing('gone'))).toBeNull(); // not waiting
    expect(ids(await a.waiting('support'))).toEqual(['c1', 'c2']);
    expect((await a.agentStates(['1'])).get('1')).toEqual({ state: ready(), version: 1 });

    expect(await b.claim('support', 'c1', '1', 1, ringing('c1'))).toBe(2);
    expect(ids(await a.waiting('support'))).toEqual(['c2']);
    expect((await a.agentStates(['1'])).get('1')).toEqual({ state: ringing('c1'), version: 2 });
    expect(await a.removeWaiting('support', 'c1')).toBe(false);
  });

  it('never gives one agent two calls when 20 claims race for the agent', async () => {
    const calls = Array.from({ length: 20 }, (_, i) => `call-${String(i).padStart(2, '0')}`);
    for (const [i, c] of calls.entries()) await a.enqueue(entry(c, 10, 1000 + i));
    const results = await Promise.all(calls.map((c, i) => (i % 2 ? a : b).claim('support', c, '1', 0, ringing(c))));
    const winners = calls.filter((_, i) => results[i] !== null);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r !== null)).toEqual([1]);
    const state = (await a.agentStates(['1'])).get('1')!;
    expect(state).toEqual({ state: ringing(winners[0]!), version: 1 });
    expect(ids(await b.waiting('support'))).toEqual(calls.filter((c) => c !== winners[0]));
  });

  it('never gives one call to two agents when 20 agents race for it', async () => {
    await a.enqueue(entry('c1', 10, 1000));
    const agents = Array.from({ length: 20 }, (_, i) => String(i + 1));
    const results = await Promise.all(agents.map((id, i) => (i % 2 ? a : b).claim('support', 'c1', id, 0, ringing('c1'))));
    expect(results.filter((r) => r !== null)).toEqual([1]);
    const states = await b.agentStates(agents);
    expect([...states.values()].filter((s) => s.state.status === 'ringing')).toHaveLength(1);
    expect([...states.values()].filter((s) => s.version === 0)).toHaveLength(19);
    expect(await a.waiting('support')).toEqual([]);
  });

  it('registers a call under a key once; the first registration stays until it is removed', async () => {
    const racers = Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).registerCall('ext:api:pbx-1', { callId: `c${i}`, ownerNode: `node-${i}` }));
    const won = await Promise.all(racers);
    expect(won.filter(Boolean)).toHaveLength(1);
    const winner = won.indexOf(true);
    expect(await b.findCall('ext:api:pbx-1')).toEqual({ callId: `c${winner}`, ownerNode: `node-${winner}` });
    expect(await a.registerCall('ext:api:pbx-1', { callId: 'late', ownerNode: 'node-z' })).toBe(false);
    expect(await a.findCall('ext:api:nope')).toBeNull();

    await b.unregisterCall('ext:api:pbx-1');
    expect(await a.findCall('ext:api:pbx-1')).toBeNull();
    expect(await a.registerCall('ext:api:pbx-1', { callId: 'again', ownerNode: 'node-a' })).toBe(true);
    await a.unregisterCall('never-registered'); // no error
  });

  it('lists every live registration with its key', async () => {
    expect(await a.liveCalls()).toEqual([]);
    await a.registerCall('ext:api:1', { callId: 'c1', ownerNode: 'node-a' });
    await b.registerCall('id:c1', { callId: 'c1', ownerNode: 'node-a' });
    await b.registerCall('id:c2', { callId: 'c2', ownerNode: 'node-b' });
    await a.unregisterCall('id:c2');
    const live = (await b.liveCalls()).sort((x, y) => x.key.localeCompare(y.key));
    expect(live).toEqual([
      { key: 'ext:api:1', callId: 'c1', ownerNode: 'node-a' },
      { key: 'id:c1', callId: 'c1', ownerNode: 'node-a' },
    ]);
  });

  it("counts a trunk's calls-per-second cap across nodes, each trunk apart", async () => {
    const started = performance.now();
    const waits = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).takeCallSlot('pbx', 5)));
    // The bucket refills at 5 a second while the 20 requests run: allow for what that adds.
    const refilled = Math.floor(((performance.now() - started) / 1000) * 5);
    const taken = waits.filter((w) => w === 0).length;
    expect(taken).toBeGreaterThanOrEqual(5);
    expect(taken).toBeLessThanOrEqual(5 + refilled);
    expect(waits.filter((w) => w > 0).every((w) => w === 1)).toBe(true);
    expect(await b.takeCallSlot('other-pbx', 5)).toBe(0);
  });

  it('counts any token bucket across nodes, a slow rate (a burst, then one a minute) included', async () => {
    const limit = { burst: 3, perSecond: 1 / 60 };
    const waits = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).takeToken('auth-fail:192.0.2.1', limit)));
    // At one a minute nothing refills while the test runs.
    expect(waits.filter((w) => w === 0)).toHaveLength(3);
    expect(waits.filter((w) => w > 0).every((w) => w > 1 && w <= 60)).toBe(true);
    expect(await a.takeToken('auth-fail:192.0.2.2', limit)).toBe(0);
  });

  it('considers a node lost once its heartbeat runs out, and alive again when it beats', async () => {
    expect(await a.liveNodes()).toEqual(new Set());
    await a.heartbeat('node-a', 60_000);
    await b.heartbeat('node-b', 300);
    await waitFor(async () => !(await a.liveNodes()).has('node-b'));
    expect(await b.liveNodes()).toEqual(new Set(['node-a']));
    await b.heartbeat('node-b', 60_000);
    expect(await a.liveNodes()).toEqual(new Set(['node-a', 'node-b']));
  });
});

describe.skipIf(!redisUrl)('RedisLiveState on its own', () => {
  const redis = new TestRedis(redisUrl ?? '');
  afterAll(() => redis.close());

  it('lets a call registration expire, so a node that died mid-call leaves nothing behind forever', async () => {
    const live = new RedisLiveState(redis.connection(), { prefix: redis.prefix, callTtlMs: 200 });
    await live.registerCall('id:c1', { callId: 'c1', ownerNode: 'node-a' });
    expect(await live.findCall('id:c1')).not.toBeNull();
    await waitFor(async () => (await live.findCall('id:c1')) === null);
    expect(await live.liveCalls()).toEqual([]);
    expect(await live.registerCall('id:c1', { callId: 'c1b', ownerNode: 'node-b' })).toBe(true);
  });

  it('keeps other prefixes apart (several deployments on one Redis)', async () => {
    const mine = new RedisLiveState(redis.connection(), { prefix: redis.prefix });
    const theirs = new RedisLiveState(redis.connection(), { prefix: `${redis.prefix}other:` });
    await mine.enqueue(entry('c1', 10, 1000));
    await mine.setAgentState('1', 0, ready());
    expect(await theirs.waiting('support')).toEqual([]);
    expect((await theirs.agentStates(['1'])).get('1')!.version).toBe(0);
  });

  it('reports a Redis failure as 503 UNAVAILABLE and counts it', async () => {
    const conn = redis.connection();
    const errors: unknown[] = [];
    const live = new RedisLiveState(conn, { prefix: redis.prefix, onError: (err) => errors.push(err) });
    await conn.quit();
    await expect(live.waiting('support')).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('Redis') });
    expect(errors).toHaveLength(1);
  });
});

async function waitFor(ok: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error('condition never became true');
    await new Promise((r) => setTimeout(r, 50));
  }
}
