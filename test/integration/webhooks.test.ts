import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.ts';
import type { Pop } from '../../src/pop/pop.types.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { WebhookDispatcher, type WebhookDispatcherOptions } from '../../src/webhooks/webhook.dispatcher.ts';
import { countPendingWebhooks, enqueueWebhook } from '../../src/webhooks/webhook.repository.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { CallCenter } from '../helpers/call-center.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import { WebhookReceiver, type ReceivedDelivery } from '../helpers/webhook-receiver.ts';

const SECRET = 'webhook-test-secret-0123456789';
// Retries in tens of milliseconds instead of minutes; the schedule itself is tested in webhook-retry.test.ts.
// The POST timeout stays far above how long a receiver on 127.0.0.1 takes to answer even on a loaded
// machine (there a process's first POST took 0.7 s): a POST that times out after the receiver
// took it is, rightly, sent again, and the tests below count every copy a receiver gets.
const FAST = { pollMs: 20, retryBaseMs: 40, retryCapMs: 150, timeoutMs: 3000 } satisfies Partial<WebhookDispatcherOptions>;
// Tests that wait out timeouts to a hung receiver, or push 120 deliveries through one PGlite
// connection, get room for a loaded machine; they finish as soon as what they wait for happens.
const SLOW_TEST_MS = 180_000;
const silent = createLogger('silent');
const DAY_MS = 86_400_000;

const outbox = (db: Database['db']) => db.selectFrom('webhook_outbox').selectAll().orderBy('id').execute();

function expectDeliveredOnceAndSigned(received: ReceivedDelivery[], rows: Awaited<ReturnType<typeof outbox>>) {
  const ids = received.map((r) => r.deliveryId);
  expect(new Set(ids).size).toBe(ids.length);
  expect([...ids].sort((a, b) => a - b)).toEqual(rows.map((r) => Number(r.id)));
  for (const r of received) {
    expect(r.signatureOk, `signature of delivery ${r.deliveryId}`).toBe(true);
    expect(r.event).toBe(r.json.event);
    expect(r.json).toEqual(rows.find((row) => Number(row.id) === r.deliveryId)!.payload);
  }
}

describe.each(databaseKinds())('webhooks on %s', (kind) => {
  describe('through a receiver outage, from the call-event API', () => {
    let receiver: WebhookReceiver;
    let t: TestApp;
    let cc: CallCenter;
    beforeAll(async () => {
      receiver = await WebhookReceiver.start(SECRET);
      await receiver.down();
      t = await createTestApp(kind, { WEBHOOK_URLS: receiver.url(), WEBHOOK_SECRET: SECRET }, { webhookTuning: FAST });
      cc = await CallCenter.on(t);
      await cc.queue('support', ['8000']);
    });
    afterAll(async () => {
      cc?.close();
      await t?.close();
      await receiver?.close();
    });

    it('keeps every event while the receiver refuses connections and then fails, and delivers each once, in order, signed', async () => {
      await cc.customer('Ada Lovelace', '(415) 555-0123');
      const agents = [await cc.agent('Grace', ['support'], { ready: true }), await cc.agent('Alan', ['support'], { ready: true })];
      const ringing = (externalId: string) => Promise.any(agents.map((a) => a.desk.next<Pop>('call:offered', (p) => p.call.externalId === externalId)));

      // Two calls whose events interleave in the outbox.
      expect((await cc.offer('pbx-a', '+1 415 555 0123', '8000')).status).toBe(200);
      const popA = await ringing('pbx-a');
      expect((await cc.event({ type: 'answered', callId: 'pbx-a' })).status).toBe(200);
      expect((await cc.offer('pbx-b', '+1 212 555 0199', '8000')).status).toBe(200);
      const popB = await ringing('pbx-b');
      expect((await cc.event({ type: 'answered', callId: 'pbx-b' })).status).toBe(200);
      expect((await cc.event({ type: 'ended', callId: 'pbx-a', hangupBy: 'caller' })).status).toBe(200);
      expect((await cc.event({ type: 'ended', callId: 'pbx-b', hangupBy: 'agent' })).status).toBe(200);
      await cc.row(popB.call.id, (r) => r.status === 'ended');

      // Down: the oldest delivery is tried again and again; nothing is lost or given up.
      const db = t.database.db;
      await receiver.until(async () => {
        const rows = await outbox(db);
        return rows.length === 6 && rows[0]!.attempts >= 3;
      }, 'retries while the port is closed');
      let rows = await outbox(db);
      expect(rows[0]!.last_error).toMatch(/ECONNREFUSED/);
      expect(rows.every((r) => r.delivered_at === null && r.failed_at === null)).toBe(true);

      // Back, but answering 500.
      receiver.failing = true;
      await receiver.up();
      await receiver.until(() => receiver.refused >= 3, 'retries against 500s');
      rows = await outbox(db);
      expect(rows[0]!.last_error).toBe('HTTP 500');
      expect(rows.every((r) => r.delivered_at === null && r.failed_at === null)).toBe(true);
      expect(receiver.accepted).toHaveLength(0);

      // Healthy: everything arrives and the outbox drains.
      receiver.failing = false;
      await receiver.until(async () => (await countPendingWebhooks(db)) === 0, 'outbox drained');
      rows = await outbox(db);
      expect(rows.every((r) => r.delivered_at !== null && r.failed_at === null && r.last_error === null)).toBe(true);
      expectDeliveredOnceAndSigned(receiver.accepted, rows);

      const eventsOf = (callId: string) => receiver.accepted.filter((r) => r.json.data.id === callId).map((r) => r.json.event);
      expect(eventsOf(popA.call.id)).toEqual(['call.offered', 'call.answered', 'call.ended']);
      expect(eventsOf(popB.call.id)).toEqual(['call.offered', 'call.answered', 'call.ended']);
      const endedA = receiver.accepted.find((r) => r.json.event === 'call.ended' && r.json.data.id === popA.call.id)!.json.data;
      expect(endedA).toMatchObject({ externalId: 'pbx-a', status: 'ended', hangupBy: 'caller', endReason: 'caller_hangup' });
      expect(endedA.customerId).toEqual(expect.any(Number));

      const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(/screenpop_webhook_deliveries_total\{outcome="delivered"\} 6/);
      expect(metrics.body).toMatch(/screenpop_webhook_deliveries_total\{outcome="failed"\} [1-9]/);
      expect(metrics.body).toMatch(/screenpop_webhook_outbox_depth 0/);
    });

    it('announces a ticket opened over the API', async () => {
      const customer = await cc.customer('Mei Wang', '+86 10 1234 5678');
      const res = await cc.api('POST', '/v1/tickets', { customerId: customer.id, subject: 'Card blocked', category: 'fault', priority: 'high' });
      expect(res.status).toBe(201);
      await receiver.until(() => receiver.accepted.some((r) => r.event === 'ticket.created' && r.json.data.id === res.body.id), 'ticket.created');
      const got = receiver.accepted.find((r) => r.event === 'ticket.created')!;
      expect(got.signatureOk).toBe(true);
      expect(got.json.data).toMatchObject({ customerId: customer.id, callId: null, subject: 'Card blocked', category: 'fault', priority: 'high' });
    });
  });

  describe('several receivers and several nodes', () => {
    let database: TestDatabase;
    let receiver: WebhookReceiver;
    const started: WebhookDispatcher[] = [];
    const extraDatabases: Database[] = [];
    /** Servers a test started besides `receiver`, closed after it. */
    const cleanups: Array<() => Promise<void>> = [];
    const dispatcher = (db: Database['db'], opts: Partial<WebhookDispatcherOptions> = {}) => {
      const d = new WebhookDispatcher(db, { secret: SECRET, maxAgeMs: 3_600_000, keepMs: 14 * DAY_MS, ...FAST, ...opts }, silent);
      started.push(d);
      d.start();
      return d;
    };
    beforeAll(async () => {
      database = await createTestDatabase(kind);
    });
    beforeEach(async () => {
      receiver = await WebhookReceiver.start(SECRET);
    });
    // Also after a failed test: its dispatchers must not keep delivering into the next test, whose
    // outbox would otherwise never drain (one failure would then show up as a second, a timeout).
    afterEach(async () => {
      for (const d of started.splice(0)) await d.stop();
      for (const close of cleanups.splice(0)) await close();
      await receiver?.close();
      await database?.db.deleteFrom('webhook_outbox').execute();
    });
    afterAll(async () => {
      for (const d of extraDatabases) await d.close();
      await database?.close();
    });

    it('keeps delivering to a live receiver while others are down or hung, and gives those up only past the max age', async () => {
      const dead = await WebhookReceiver.start(SECRET);
      await dead.down();
      // Takes the connection and never answers.
      const hung = createServer(() => {});
      await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
      cleanups.push(async () => {
        hung.closeAllConnections();
        await new Promise<void>((r) => hung.close(() => r()));
      });
      const hungUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}/hung`;
      const db = database.db;
      for (let i = 0; i < 5; i++) {
        await db.transaction().execute((trx) => enqueueWebhook(trx, [dead.url('/dead'), hungUrl, receiver.url('/live')], 'call.offered', { id: `call-${i}` }));
      }
      const to = (suffix: string) => async () => (await outbox(db)).filter((r) => r.url.endsWith(suffix));
      // FAST's timeout, not a shorter one: the live receiver shares it, and a live delivery whose answer
      // came too late would (rightly) be sent again. The hung receiver costs one timeout per attempt.
      const young = dispatcher(db, { maxAgeMs: 3_600_000 });
      await receiver.until(
        async () => receiver.accepted.length >= 5 && (await to('/dead')())[0]!.attempts >= 3 && (await to('/hung')())[0]!.attempts >= 2,
        'live receiver served while the others are retried',
        SLOW_TEST_MS - 30_000,
      );
      expect(receiver.accepted.map((r) => r.json.data.id)).toEqual(['call-0', 'call-1', 'call-2', 'call-3', 'call-4']);
      await young.stop();
      for (const suffix of ['/dead', '/hung']) {
        const rows = await to(suffix)();
        expect(rows.every((r) => r.failed_at === null && r.delivered_at === null)).toBe(true);
        // Only the oldest is knocked on; the rest wait behind it so they arrive in order.
        expect(rows.slice(1).every((r) => r.attempts === 0)).toBe(true);
      }
      expect((await to('/hung')())[0]!.last_error).toBe(`timeout after ${FAST.timeoutMs} ms`);

      // A node whose max age the deliveries have outlived gives them all up after one more refused attempt.
      // Nothing is left for the live receiver, so this node's short timeout only ever hits the hung one.
      const old = dispatcher(db, { maxAgeMs: 0, timeoutMs: 200 });
      await receiver.until(async () => (await countPendingWebhooks(db)) === 0, 'dead and hung receivers given up', 30_000);
      await old.stop();
      for (const suffix of ['/dead', '/hung']) {
        const rows = await to(suffix)();
        expect(rows.every((r) => r.failed_at !== null && r.delivered_at === null)).toBe(true);
      }
      expect((await to('/dead')())[0]!.last_error).toMatch(/ECONNREFUSED/);
      expect(receiver.accepted).toHaveLength(5);
    }, SLOW_TEST_MS);

    it('deletes delivered and given-up deliveries past the keep time, and never a pending one', async () => {
      const db = database.db;
      const daysAgo = (n: number) => new Date(Date.now() - n * DAY_MS);
      const row = (note: string, at: Date, done: { delivered_at?: Date; failed_at?: Date } = {}) => ({
        event: 'call.ended',
        url: receiver.url('/kept'),
        payload: JSON.stringify({ note }),
        created_at: at,
        // Pending rows are not due for a day: this test is about pruning, not delivering.
        next_attempt_at: new Date(Date.now() + DAY_MS),
        ...done,
      });
      await db
        .insertInto('webhook_outbox')
        .values([
          row('old delivered', daysAgo(20), { delivered_at: daysAgo(20) }),
          row('old given up', daysAgo(20), { failed_at: daysAgo(17) }),
          row('old but still pending', daysAgo(20)),
          row('recent delivered', daysAgo(1), { delivered_at: daysAgo(1) }),
        ])
        .execute();
      dispatcher(db, { keepMs: 7 * DAY_MS });
      const notes = async () => (await outbox(db)).map((r) => (r.payload as { note: string }).note);
      await receiver.until(async () => (await notes()).length === 2, 'old finished rows deleted');
      expect(await notes()).toEqual(['old but still pending', 'recent delivered']);
      expect(receiver.accepted).toHaveLength(0);
    });

    it('never delivers one row twice when two nodes deliver the same outbox, and keeps each receiver in order', async () => {
      const db = database.db;
      // Two nodes: separate connection pools on PostgreSQL; PGlite has one connection per store.
      const second = kind === 'postgres' ? createDatabase({ url: database.url!, poolSize: 3 }) : database;
      if (second !== database) extraDatabases.push(second);
      const receivers = ['/r0', '/r1', '/r2', '/r3'].map((p) => receiver.url(p));
      for (let i = 0; i < 30; i++) {
        await db.transaction().execute((trx) => enqueueWebhook(trx, receivers, 'call.answered', { id: `call-${i}` }));
      }
      receiver.delayMs = 4;
      receiver.refuseEvery = 7; // some deliveries need a retry, so failures race too
      const deliveredBy = [0, 0];
      const tuning = { perReceiver: 3, concurrentReceivers: 2, pollMs: 5, retryBaseMs: 10, retryCapMs: 30 };
      const nodes = [dispatcher(db, tuning), dispatcher(second.db, tuning)];
      nodes.forEach((d, i) => (d.onOutcome = (o, n) => void (o === 'delivered' && (deliveredBy[i]! += n))));

      await receiver.until(async () => (await countPendingWebhooks(db)) === 0, 'outbox drained by two nodes', SLOW_TEST_MS - 30_000);
      const rows = await outbox(db);
      expect(rows).toHaveLength(120);
      expectDeliveredOnceAndSigned(receiver.accepted, rows);
      for (const path of ['/r0', '/r1', '/r2', '/r3']) {
        const order = receiver.accepted.filter((r) => r.path === path).map((r) => r.json.data.id);
        expect(order).toEqual(Array.from({ length: 30 }, (_, i) => `call-${i}`));
      }
      expect(receiver.refused).toBeGreaterThan(0);
      // Both nodes really took part.
      expect(deliveredBy[0]).toBeGreaterThan(0);
      expect(deliveredBy[1]).toBeGreaterThan(0);
      expect(deliveredBy[0]! + deliveredBy[1]!).toBe(120);
    }, SLOW_TEST_MS);
  });
});
