import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusMessage, BusRequest } from '../../src/routing/live/bus.ts';
import { RedisBus } from '../../src/routing/live/redis-bus.ts';
import { AppError } from '../../src/shared/errors.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { TestRedis, testRedisUrl } from '../helpers/redis.ts';

const redisUrl = testRedisUrl();
if (!redisUrl) console.log('[redis-bus] no Redis (set REDIS_URL): the RedisBus tests skip');

/** A bus as one node has it, with what it heard. */
async function node(redis: TestRedis, nodeId: string) {
  const bus = await RedisBus.connect({
    nodeId,
    publisher: redis.connection(),
    subscriber: redis.connection(),
    prefix: redis.prefix,
    log: createLogger('silent'),
    requestTimeoutMs: 2000,
  });
  const heard: BusMessage[] = [];
  const waiters: Array<() => void> = [];
  bus.onMessage((m) => {
    heard.push(m);
    waiters.splice(0).forEach((w) => w());
  });
  /** Resolves once a message matching `ok` has arrived. */
  const hears = async (ok: (m: BusMessage) => boolean) => {
    const until = Date.now() + 5000;
    while (!heard.some(ok)) {
      if (Date.now() > until) throw new Error(`${nodeId} never heard it; heard ${JSON.stringify(heard)}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
  };
  return { bus, heard, hears };
}

const assigned = (callId: string): BusMessage => ({ type: 'assigned', callId, agentId: '1', agentVersion: 3 });

describe.skipIf(!redisUrl)('RedisBus between nodes', () => {
  const redis = new TestRedis(redisUrl ?? '');
  let a: Awaited<ReturnType<typeof node>>;
  let b: Awaited<ReturnType<typeof node>>;
  let c: Awaited<ReturnType<typeof node>>;
  beforeAll(async () => {
    [a, b, c] = await Promise.all([node(redis, 'node-a'), node(redis, 'node-b'), node(redis, 'node-c')]);
    b.bus.onRequest(async (req: BusRequest) => {
      if (req.type === 'echo') return { echo: req.value, by: 'node-b' };
      if (req.type === 'missing') throw new AppError('CALL_NOT_FOUND', `No call ${String(req.callId)}`, { callId: req.callId });
      if (req.type === 'slow') return new Promise(() => {});
      throw new Error('a bug with internal details');
    });
  });
  afterAll(async () => {
    for (const n of [a, b, c]) await n?.bus.close();
    await redis.close();
  });

  it('broadcasts to every node, the sender included, once each', async () => {
    await a.bus.broadcast({ type: 'directory-changed', what: 'queues' });
    const isIt = (m: BusMessage) => m.type === 'directory-changed' && m.what === 'queues';
    await Promise.all([a.hears(isIt), b.hears(isIt), c.hears(isIt)]);
    // A marker sent after it shows nothing else of it is still on its way.
    await a.bus.broadcast({ type: 'board-changed' });
    await Promise.all([a, b, c].map((n) => n.hears((m) => m.type === 'board-changed')));
    for (const n of [a, b, c]) expect(n.heard.filter(isIt)).toHaveLength(1);
  });

  it('sends to the target node only', async () => {
    await a.bus.send('node-b', assigned('only-b'));
    await a.bus.send('node-a', assigned('to-self'));
    await b.hears((m) => m.type === 'assigned' && m.callId === 'only-b');
    await a.hears((m) => m.type === 'assigned' && m.callId === 'to-self');
    // Node c hears the broadcast after the send; had the send reached it, it would have come first.
    await a.bus.broadcast({ type: 'directory-changed', what: 'cross-sell' });
    await c.hears((m) => m.type === 'directory-changed' && m.what === 'cross-sell');
    await a.hears((m) => m.type === 'directory-changed' && m.what === 'cross-sell');
    expect(c.heard.filter((m) => m.type === 'assigned')).toEqual([]);
    expect(a.heard.filter((m) => m.type === 'assigned' && m.callId === 'only-b')).toEqual([]);
    expect(b.heard.filter((m) => m.type === 'assigned' && m.callId === 'to-self')).toEqual([]);
  });

  it('asks the owner node and returns its answer; an error there is the same error here', async () => {
    expect(await a.bus.request('node-b', { type: 'echo', value: 42 })).toEqual({ echo: 42, by: 'node-b' });
    const answers = await Promise.all([1, 2, 3].map((v) => c.bus.request('node-b', { type: 'echo', value: v })));
    expect(answers).toEqual([1, 2, 3].map((v) => ({ echo: v, by: 'node-b' })));

    const err = await a.bus.request('node-b', { type: 'missing', callId: 'x1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'CALL_NOT_FOUND', message: 'No call x1', details: { callId: 'x1' }, statusCode: 404 });

    // Anything else stays on the owner: the asker hears a plain INTERNAL, not the owner's internals.
    const bug = await a.bus.request('node-b', { type: 'boom' }).catch((e: unknown) => e);
    expect(bug).toMatchObject({ code: 'INTERNAL' });
    expect((bug as Error).message).not.toContain('internal details');
  });

  it('answers a request to itself without Redis, and a node that takes no requests says so', async () => {
    await expect(a.bus.request('node-a', { type: 'echo' })).rejects.toMatchObject({ code: 'UNAVAILABLE', message: 'node takes no requests' });
    await expect(b.bus.request('node-b', { type: 'echo', value: 'me' })).resolves.toEqual({ echo: 'me', by: 'node-b' });
  });

  it('fails clearly when the node is gone or does not answer in time', async () => {
    await expect(a.bus.request('node-gone', { type: 'echo' })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/node-gone is not reachable/),
    });
    await expect(a.bus.request('node-b', { type: 'slow' }, 300)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/node-b did not answer slow within 300 ms/),
    });

    const d = await node(redis, 'node-d');
    expect(await a.bus.send('node-d', assigned('to-d'))).toBeUndefined();
    await d.hears((m) => m.type === 'assigned' && m.callId === 'to-d');
    await d.bus.close();
    await expect(a.bus.request('node-d', { type: 'echo' })).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/not reachable/) });
    await expect(d.bus.request('node-b', { type: 'echo' })).rejects.toMatchObject({ code: 'UNAVAILABLE', message: 'This node is stopping' });
  });
});
