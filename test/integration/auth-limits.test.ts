import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_FAILURE_LIMIT } from '../../src/auth/auth-failure-limit.ts';
import { ADMIN_KEY, createTestApp, liveStateKinds, type TestApp } from '../helpers/app.ts';
import { CallCenter } from '../helpers/call-center.ts';
import { TestClient } from '../helpers/agent-client.ts';
import { CuttableProxy } from '../helpers/cuttable-proxy.ts';
import { testRedisUrl } from '../helpers/redis.ts';

const BURST = AUTH_FAILURE_LIMIT.burst;
// The budget refills (one failure every few seconds) while a test runs: loops go on until the
// refusal comes, up to twice the burst, and assert that at least the burst came first.
const TRIES = 2 * BURST;

const get = (t: TestApp, key: string, remoteAddress: string) =>
  t.app.inject({ url: '/v1/queues', headers: { authorization: `Bearer ${key}` }, remoteAddress });

function expectRateLimited(res: LightMyRequestResponse) {
  expect(res.statusCode).toBe(429);
  expect(res.headers['retry-after']).toMatch(/^[1-9]\d*$/);
  expect(res.json()).toEqual({ error: { code: 'RATE_LIMITED', message: expect.stringMatching(/too many failed sign-ins/i) } });
}

/** Wrong keys from `address` (through `apps` in turn) until one is refused as rate limited: the 401s before it and that response. */
async function failUntilLimited(apps: TestApp[], address: string) {
  const unauthenticated = apps.map(() => 0);
  for (let i = 0; i < TRIES; i++) {
    const n = i % apps.length;
    const res = await get(apps[n]!, `sp_int_wrong-key-number-${i}`, address);
    if (res.statusCode === 429) return { unauthenticated, limited: res };
    expect(res.statusCode).toBe(401);
    unauthenticated[n]!++;
  }
  throw new Error(`no 429 after ${TRIES} wrong keys from ${address}`);
}

describe.each(liveStateKinds())('failed sign-ins per address, live state in %s', (state) => {
  let t: TestApp;
  let cc: CallCenter;
  beforeAll(async () => {
    t = await createTestApp('pglite', {}, { state });
    cc = await CallCenter.on(t);
  });
  afterAll(async () => {
    cc?.close();
    await t?.close();
  });

  it('answers wrong keys from one address with 429 and Retry-After after the burst, the right key too, but not other addresses', async () => {
    const { unauthenticated, limited } = await failUntilLimited([t], '203.0.113.5');
    expect(unauthenticated[0]).toBeGreaterThanOrEqual(BURST);
    expectRateLimited(limited);
    // While the address is refused, a valid key from it is refused as well (nothing is looked up).
    expectRateLimited(await get(t, ADMIN_KEY, '203.0.113.5'));
    expectRateLimited(await t.app.inject({ url: '/v1/queues', remoteAddress: '203.0.113.5' }));

    expect((await get(t, ADMIN_KEY, '203.0.113.6')).statusCode).toBe(200);
    expect((await get(t, 'sp_int_wrong-key-elsewhere', '203.0.113.6')).statusCode).toBe(401);
  });

  it('does not count requests without a key', async () => {
    for (let i = 0; i < BURST + 5; i++) expect((await t.app.inject({ url: '/v1/queues', remoteAddress: '203.0.113.7' })).statusCode).toBe(401);
    expect((await get(t, ADMIN_KEY, '203.0.113.7')).statusCode).toBe(200);
  });

  it('limits socket handshakes with wrong tokens, in one budget with REST', async () => {
    // A valid agent key made before the address (127.0.0.1, where the test's sockets come from) is refused.
    const agent = await cc.api<{ key: string }>('POST', '/v1/agents', { name: 'Desk at a busy address', skills: ['limits'] });
    expect(agent.status).toBe(201);

    let refused = 0;
    let limited: { message: string; data?: { code?: string; retryAfter?: number } } | null = null;
    for (let i = 0; i < TRIES && !limited; i++) {
      const err = await TestClient.connect(cc.url, i % 2 ? '/agent' : '/supervisor', `sp_age_wrong-token-number-${i}`).then(
        (c) => {
          c.close();
          throw new Error('a wrong token was let in');
        },
        (e: { message: string; data?: { code?: string; retryAfter?: number } }) => e,
      );
      if (err.data?.code === 'RATE_LIMITED') limited = err;
      else {
        expect(err.data?.code).toBe('UNAUTHENTICATED');
        refused++;
      }
    }
    expect(refused).toBeGreaterThanOrEqual(BURST);
    expect(limited?.message).toMatch(/too many failed sign-ins/i);
    expect(limited?.data?.retryAfter).toBeGreaterThanOrEqual(1);

    await expect(TestClient.connect(cc.url, '/agent', agent.body.key)).rejects.toMatchObject({ data: { code: 'RATE_LIMITED' } });
    expectRateLimited(await get(t, ADMIN_KEY, '127.0.0.1'));
    expect((await get(t, agent.body.key, '198.51.100.1')).statusCode).toBe(200); // the key itself is fine from elsewhere
  });
});

describe.skipIf(!testRedisUrl())('failed sign-ins on two nodes sharing one Redis', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await createTestApp('pglite', {}, { state: 'redis' });
    b = await createTestApp('pglite', { REDIS_KEY_PREFIX: a.container.config.redisKeyPrefix }, { state: 'redis' });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('counts failures from one address on both nodes together, and both refuse it', async () => {
    const { unauthenticated, limited } = await failUntilLimited([a, b], '192.0.2.44');
    expect(unauthenticated[0]! + unauthenticated[1]!).toBeGreaterThanOrEqual(BURST);
    // Neither node alone saw a burst's worth: the budget is shared.
    expect(unauthenticated[0]).toBeLessThan(BURST);
    expect(unauthenticated[1]).toBeLessThan(BURST);
    expectRateLimited(limited);
    expectRateLimited(await get(a, 'sp_int_wrong-key-on-a', '192.0.2.44'));
    expectRateLimited(await get(b, 'sp_int_wrong-key-on-b', '192.0.2.44'));

    expect((await get(a, ADMIN_KEY, '192.0.2.45')).statusCode).toBe(200);
    expect((await get(b, ADMIN_KEY, '192.0.2.45')).statusCode).toBe(200);
  });
});

describe.skipIf(!testRedisUrl())('failed sign-ins while Redis is unreachable', () => {
  let t: TestApp;
  let proxy: CuttableProxy;
  beforeAll(async () => {
    proxy = await CuttableProxy.start(testRedisUrl()!);
    t = await createTestApp('pglite', { REDIS_URL: `redis://127.0.0.1:${proxy.port}` }, { state: 'redis' });
  });
  afterAll(async () => {
    proxy?.restore();
    await t?.close();
    await proxy?.close();
  });

  it('locks nobody out: wrong keys stay plain 401s beyond the burst, and the right key works', async () => {
    proxy.cut();
    // In parallel, a burst at a time: each failure waits for Redis to fail first.
    for (let round = 0; round < 2; round++) {
      const statuses = await Promise.all(Array.from({ length: BURST }, (_, i) => get(t, `sp_int_wrong-key-${round}-${i}`, '192.0.2.77').then((r) => r.statusCode)));
      expect(statuses).toEqual(Array(BURST).fill(401));
    }
    expect((await get(t, ADMIN_KEY, '192.0.2.77')).statusCode).toBe(200);

    proxy.restore();
    const { unauthenticated, limited } = await failUntilLimited([t], '192.0.2.78');
    expect(unauthenticated[0]).toBeGreaterThanOrEqual(BURST);
    expectRateLimited(limited);
  });
});
