import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Pop } from '../../src/pop/pop.types.ts';
import { TestClient } from '../helpers/agent-client.ts';
import { CuttableProxy } from '../helpers/cuttable-proxy.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { TestRedis } from '../helpers/redis.ts';
import { apiWith, spawnService, startService, type ServiceProcess } from '../helpers/service-process.ts';

/**
 * The service as a process with PostgreSQL and Redis behind TCP proxies the test breaks: reset,
 * then silent (blackholed), then back — under a steady stream of offers, answers, ends and
 * searches. What a contact center would see: the process stays up, requests get 2xx/4xx or 503
 * (never 500), every accepted offer ends as exactly one call-log row with a final status, the
 * agent is free again, and the desktop heard how each call it was offered ended.
 */
const ADMIN = 'faults-admin-key-0123456789abcdef';
const databaseUrl = inject('databaseUrl');
const redisUrl = inject('redisUrl');
const runnable = Boolean(databaseUrl && redisUrl);
if (!runnable) console.log('[faults] needs PostgreSQL and Redis (set DATABASE_URL and REDIS_URL): skipped');

// Short bounds so a silent dependency costs a request about a second, not the defaults' several.
const BOUNDS = {
  DATABASE_CONNECT_TIMEOUT_MS: '800',
  DATABASE_STATEMENT_TIMEOUT_MS: '800',
  REDIS_COMMAND_TIMEOUT_MS: '500',
  LOOKUP_TIMEOUT_MS: '300',
  OFFER_DEADLINE_MS: '2500',
};
const FINAL = ['ended', 'abandoned', 'overflowed', 'failed'];

const api = apiWith(ADMIN);

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read().catch(() => undefined as T);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`never true: ${JSON.stringify((v as { pending?: unknown })?.pending ?? v)?.slice(0, 1000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!runnable)('faults of PostgreSQL and Redis under traffic', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let pgProxy: CuttableProxy;
  let redisProxy: CuttableProxy;
  let node: ServiceProcess;
  let desk: TestClient;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    redis = new TestRedis(redisUrl!);
    pgProxy = await CuttableProxy.start(db.url!);
    redisProxy = await CuttableProxy.start(redisUrl!);
    node = await startService({
      ...BOUNDS,
      DATABASE_URL: pgProxy.via(db.url!),
      REDIS_URL: redisProxy.via(redisUrl!),
      REDIS_KEY_PREFIX: redis.prefix,
      SCREENPOP_ADMIN_KEY: ADMIN,
      SEED_DEMO: 'false',
      NODE_ID: 'faulty-node',
    });
    expect((await api(node.url, 'POST', '/v1/queues', { id: 'faults', name: 'Faults', skill: 'faults', dialledNumbers: ['8000'], ringTimeoutSeconds: 30, wrapUpSeconds: 0, maxWaitSeconds: 20 })).status).toBe(201);
    expect((await api(node.url, 'POST', '/v1/customers', { displayName: 'Grace Hopper', phones: [{ number: '+1 202 555 0142' }] })).status).toBe(201);
    const agent = await api<{ agent: { id: string }; key: string }>(node.url, 'POST', '/v1/agents', { name: 'Ada', skills: ['faults'] });
    desk = await TestClient.connect(node.url, '/agent', agent.body.key);
    expect((await desk.emit('agent:set-state', { status: 'ready' })).ok).toBe(true);
  });

  afterAll(async () => {
    desk?.close();
    await node?.stop();
    await pgProxy?.close();
    await redisProxy?.close();
    await db?.close();
    await redis?.close();
  });

  it('keeps the process up, answers 503 not 500, and closes every accepted call in the log', async () => {
    const statuses: number[] = [];
    const accepted: string[] = [];
    const refused: string[] = [];
    let n = 0;
    let running = true;

    // As a PBX does, an event answered 503 is sent again (after a short Retry-After for the test),
    // while new calls keep coming: each accepted call is answered and ended on its own.
    const handlers: Promise<void>[] = [];
    const sendEvent = async (body: Record<string, unknown>) => {
      for (let attempt = 0; attempt < 240; attempt++) {
        const r = await api(node.url, 'POST', '/v1/call-events', body).catch(() => null);
        if (r) statuses.push(r.status);
        if (r && r.status !== 503) return;
        await new Promise((res) => setTimeout(res, 250));
      }
    };
    let offersTried = 0;
    const traffic = (async () => {
      while (running) {
        const callId = `fault-${++n}`;
        const offered = await api(node.url, 'POST', '/v1/call-events', { type: 'offered', callId, from: '+1 202 555 0142', to: '8000' }).catch(() => null);
        offersTried++;
        if (offered) statuses.push(offered.status);
        if (offered?.status === 503) refused.push(callId);
        if (offered?.status === 200) {
          accepted.push(callId);
          handlers.push(sendEvent({ type: 'answered', callId }).then(() => sendEvent({ type: 'ended', callId, hangupBy: 'caller' })));
        }
        const search = await api(node.url, 'GET', '/v1/customers?q=Grace').catch(() => null);
        if (search) statuses.push(search.status);
      }
    })();
    // Each phase lasts until the traffic has tried this many more offers (events, not clocks).
    const offers = (more: number) => {
      const target = offersTried + more;
      return until(async () => offersTried, (tried) => tried >= target, 120_000);
    };

    await offers(6);
    const faults: Array<[string, () => void, () => void]> = [
      ['PostgreSQL reset', () => pgProxy.cut(), () => pgProxy.restore()],
      ['PostgreSQL silent', () => pgProxy.blackhole(), () => pgProxy.restore()],
      ['Redis reset', () => redisProxy.cut(), () => redisProxy.restore()],
      ['Redis silent', () => redisProxy.blackhole(), () => redisProxy.restore()],
    ];
    for (const [, breakIt, restore] of faults) {
      breakIt();
      await offers(3);
      restore();
      // Back to normal: the node serves again before the next fault.
      await until(() => fetch(`${node.url}/ready`).then((r) => r.status), (s) => s === 200);
      await offers(6);
    }
    running = false;
    await traffic;
    await Promise.all(handlers);

    expect(node.proc.exitCode).toBeNull();
    expect(statuses.filter((s) => s >= 500 && s !== 503)).toEqual([]);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(20);
    expect(accepted.length).toBeGreaterThan(10);

    // Every accepted offer: exactly one row, final within max wait + ring timeout + a grace.
    const rows = await until(
      async () => {
        const rs = await db.db.selectFrom('calls').select(['external_id', 'status']).where('external_id', 'in', accepted).execute();
        // What is still missing or open, so a failure names the calls.
        const seen = new Set(rs.map((r) => r.external_id));
        return { rs, pending: [...accepted.filter((id) => !seen.has(id)).map((id) => `${id}: no row`), ...rs.filter((r) => !FINAL.includes(r.status)).map((r) => `${r.external_id}: ${r.status}`)] };
      },
      ({ pending }) => pending.length === 0,
      90_000,
    ).then(({ rs }) => rs);
    expect(new Set(rows.map((r) => r.external_id)).size).toBe(accepted.length);
    // No call left open from the refused offers either.
    const open = await until(
      () => db.db.selectFrom('calls').select(['external_id', 'status']).where('status', 'not in', FINAL as never).execute(),
      (rs) => rs.length === 0,
      90_000,
    );
    expect(open).toEqual([]);

    // The agent is free for the next call, and the desktop heard the end of every call it was offered.
    // (An agent left ringing by a Redis outage is released by the lost-call sweep, every 30 s.)
    await desk.current<{ status: string }>('agent:state', (s) => ['ready', 'wrap_up', 'not_ready'].includes(s.status), 90_000);
    // (Messages to the desk held up by a Redis outage arrive once it is back: waited for, not read at once.)
    const unended = () => {
      const offeredToDesk = new Set(desk.events.filter((e) => e.event === 'call:offered').map((e) => (e.args[0] as Pop).call.id));
      const endedOnDesk = new Set(desk.events.filter((e) => e.event === 'call:ended' || e.event === 'call:withdrawn').map((e) => (e.args[0] as { callId: string }).callId));
      return [...offeredToDesk].filter((id) => !endedOnDesk.has(id));
    };
    await until(async () => unended(), (ids) => ids.length === 0, 30_000);
    // An offer refused with 503 never rings anyone later (no "ghost call" once the store is back).
    expect(refused.length).toBeGreaterThan(0);
    const poppedLater = desk.events.filter((e) => e.event === 'call:offered').map((e) => (e.args[0] as Pop).call.externalId);
    expect(poppedLater.filter((id) => refused.includes(id))).toEqual([]);

    // The PBX offers a refused call again after Retry-After: a new call, not the refusal.
    const again = await api(node.url, 'POST', '/v1/call-events', { type: 'offered', callId: refused[0], from: '+1 202 555 0142', to: '8000' });
    expect(again.status).toBe(200);
    expect(FINAL).not.toContain(again.body.status);
    await sendEvent({ type: 'ended', callId: refused[0]!, hangupBy: 'caller' });
    // The second offer's row under the call id; the refusal, if it got as far as a call, under a derived id.
    const logged = await until(
      () => db.db.selectFrom('calls').select(['external_id', 'status']).where('external_id', 'like', `${refused[0]}%`).orderBy('offered_at').execute(),
      (rs) => rs.some((r) => r.external_id === refused[0] && FINAL.includes(r.status)),
    );
    for (const r of logged) {
      if (r.external_id === refused[0]) expect(r.status).toBe('abandoned');
      else expect(r).toMatchObject({ external_id: expect.stringMatching(new RegExp(`^${refused[0]}#refused-`)), status: 'failed' });
    }
  });
});

describe.skipIf(!runnable)('starting while PostgreSQL or Redis is down', () => {
  it('answers /health, names what is missing on /ready, and becomes ready by itself', async () => {
    const db = await createTestDatabase('postgres');
    const redis = new TestRedis(redisUrl!);
    const pgProxy = await CuttableProxy.start(db.url!);
    const redisProxy = await CuttableProxy.start(redisUrl!);
    pgProxy.cut();
    redisProxy.cut();
    const svc = spawnService({ ...BOUNDS, DATABASE_URL: pgProxy.via(db.url!), REDIS_URL: redisProxy.via(redisUrl!), REDIS_KEY_PREFIX: redis.prefix, SCREENPOP_ADMIN_KEY: ADMIN, SEED_DEMO: 'false' });
    try {
      const base = await until(async () => /answer on (http:\/\/[\d.]+:\d+)/.exec(svc.output())?.[1], Boolean, 60_000);
      expect((await fetch(`${base}/health`)).status).toBe(200);
      const waiting = await fetch(`${base}/ready`);
      expect(waiting.status).toBe(503);
      expect(Object.keys((await waiting.json()).checks)).toEqual(['database']);
      expect((await fetch(`${base}/v1/queues`)).status).toBe(503);

      pgProxy.restore();
      const onRedis = await until(() => fetch(`${base}/ready`).then((r) => r.json()), (b) => b.checks?.redis !== undefined);
      expect(onRedis.checks.redis.ok).toBe(false);
      redisProxy.restore();
      await until(() => fetch(`${base}/ready`).then((r) => r.status), (s) => s === 200);
      expect(svc.proc.exitCode).toBeNull();
    } finally {
      svc.proc.kill('SIGTERM');
      await svc.exited;
      await pgProxy.close();
      await redisProxy.close();
      await db.close();
      await redis.close();
    }
  });

  it('gives up after STARTUP_TIMEOUT_SECONDS with one clear line and a non-zero code', async () => {
    const proxy = await CuttableProxy.start(databaseUrl!);
    proxy.cut();
    const svc = spawnService({ ...BOUNDS, DATABASE_URL: proxy.via(databaseUrl!), STARTUP_TIMEOUT_SECONDS: '2', SEED_DEMO: 'false' });
    try {
      expect(await svc.exited).toBe(69);
      expect(svc.output()).toMatch(/gave up after 2 s waiting for database/);
    } finally {
      await proxy.close();
    }
  });
});
