import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { TestClient } from '../helpers/agent-client.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { TestRedis } from '../helpers/redis.ts';
import { apiWith, startService, type ServiceProcess } from '../helpers/service-process.ts';
import type { Pop } from '../../src/pop/pop.types.ts';
import type { Wallboard } from '../../src/wallboard/wallboard.types.ts';

const ADMIN = 'two-nodes-admin-key-0123456789ab';
const databaseUrl = inject('databaseUrl');
const redisUrl = inject('redisUrl');
const runnable = Boolean(databaseUrl && redisUrl);
if (!runnable) console.log('[two-nodes] needs PostgreSQL and Redis (set DATABASE_URL and REDIS_URL): skipped');

const api = apiWith(ADMIN);

describe.skipIf(!runnable)('two screenpop nodes sharing one PostgreSQL and one Redis', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let a: ServiceProcess;
  let b: ServiceProcess;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    redis = new TestRedis(redisUrl!);
    const env = { DATABASE_URL: db.url!, REDIS_URL: redisUrl!, REDIS_KEY_PREFIX: redis.prefix, SCREENPOP_ADMIN_KEY: ADMIN, SEED_DEMO: 'false' };
    [a, b] = await Promise.all([startService({ ...env, NODE_ID: 'node-a' }), startService({ ...env, NODE_ID: 'node-b' })]);
  });

  afterAll(async () => {
    clients.forEach((c) => c.close());
    const codes = await Promise.all([a?.stop(), b?.stop()]);
    await db?.close();
    await redis?.close();
    expect(codes).toEqual([0, 0]);
  });

  it('both nodes report Redis as their shared state', async () => {
    for (const node of [a, b]) {
      const ready = await api(node.url, 'GET', '/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.checks.redis).toEqual({ ok: true, detail: 'shared state' });
      expect(node.output()).toMatch(/"state":"redis"/);
    }
  });

  it('routes a call taken on node A to an agent connected to node B, and B forwards its events to A', async () => {
    // Everything is set up through node A; node B hears of it over the bus.
    expect((await api(a.url, 'POST', '/v1/queues', { id: 'support', name: 'Support', skill: 'support', dialledNumbers: ['8000'], ringTimeoutSeconds: 30 })).status).toBe(201);
    const customer = await api(a.url, 'POST', '/v1/customers?force=true', { displayName: 'Ada Lovelace', phones: [{ number: '+1 415 555 0123' }] });
    expect(customer.status).toBe(201);
    const agent = await api(a.url, 'POST', '/v1/agents', { name: 'Grace', skills: ['support'] });
    expect(agent.status).toBe(201);
    // The agent opens the desktop on node B at once: B may not have heard of the agent yet.
    const desk = await TestClient.connect(b.url, '/agent', agent.body.key);
    clients.push(desk);
    expect(await desk.emit('agent:set-state', { status: 'ready' })).toMatchObject({ ok: true, data: { status: 'ready' } });
    const supervisorKey = await api(a.url, 'POST', '/v1/api-keys', { name: 'floor supervisor', role: 'supervisor' });
    expect(supervisorKey.status).toBe(201);
    const supervisor = await TestClient.connect(a.url, '/supervisor', supervisorKey.body.key);
    clients.push(supervisor);

    const offered = await api(a.url, 'POST', '/v1/call-events', { type: 'offered', callId: 'pbx-77', from: '(415) 555-0123', to: '8000' });
    expect(offered.status).toBe(200);
    const callId: string = offered.body.id;

    const pop = await desk.next<Pop>('call:offered', (p) => p.call.id === callId);
    expect(pop.customer?.displayName).toBe('Ada Lovelace');
    expect(pop.call.queue.id).toBe('support');
    // The supervisor on node A sees the call: still waiting, or already ringing the agent on node B.
    await supervisor.next<Wallboard>('wallboard', (w) => {
      const waiting = w.queues.some((q) => q.waiting.some((c) => c.callId === callId));
      const taken = w.agents.some((ag) => ag.id === agent.body.agent.id && ag.callId === callId && ['ringing', 'on_call'].includes(ag.status));
      return waiting || taken;
    });

    // Node B does not hold the call: it asks node A, which owns it.
    const answered = await api(b.url, 'POST', '/v1/call-events', { type: 'answered', callId: 'pbx-77' });
    expect(answered).toMatchObject({ status: 200, body: { id: callId, status: 'answered', agentId: agent.body.agent.id } });
    await desk.next('call:answered', (e: any) => e.callId === callId);
    const ended = await api(b.url, 'POST', '/v1/call-events', { type: 'ended', callId: 'pbx-77', hangupBy: 'caller' });
    expect(ended).toMatchObject({ status: 200, body: { id: callId, status: 'ended' } });
    await desk.next('call:ended', (e: any) => e.callId === callId);
    await supervisor.next<Wallboard>('wallboard', (w) => w.queues.some((q) => q.id === 'support' && q.answered === 1));

    // Exactly one call-log row, complete, written by the owner node.
    const rows = await waitForRows(db, 'pbx-77', (r) => r.status === 'ended' && r.talk_seconds !== null);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: callId,
      status: 'ended',
      node_id: expect.stringMatching(/^node-a#[0-9a-f]{6}$/), // the owner node's name and this run of it
      queue_id: 'support',
      customer_id: customer.body.id,
      agent_id: Number(agent.body.agent.id),
      hangup_by: 'caller',
      queued: true,
    });
    expect(rows[0]!.answered_at).not.toBeNull();

    // Ending again on either node is a no-op answered from the log.
    expect((await api(b.url, 'POST', '/v1/call-events', { type: 'ended', callId: 'pbx-77' })).body.status).toBe('ended');
    expect((await api(b.url, 'GET', `/v1/calls/${callId}`)).body).toMatchObject({ id: callId, status: 'ended' });
  });

  it('refuses a key revoked on node A at once on node B, which had just accepted it', async () => {
    const made = await api(a.url, 'POST', '/v1/api-keys', { name: 'crm', role: 'integrator' });
    expect((await api(b.url, 'GET', '/v1/queues', undefined, made.body.key)).status).toBe(200); // B now knows the key
    expect((await api(a.url, 'DELETE', `/v1/api-keys/${made.body.id}`)).status).toBe(204);
    const until = Date.now() + 5_000; // a bus message away, not the key cache's 30 s
    let status = 0;
    while (Date.now() < until && (status = (await api(b.url, 'GET', '/v1/queues', undefined, made.body.key)).status) !== 401) await new Promise((r) => setTimeout(r, 50));
    expect(status).toBe(401);
  });
});

async function waitForRows(db: TestDatabase, externalId: string, ok: (row: Record<string, any>) => boolean) {
  const until = Date.now() + 10_000;
  for (;;) {
    const rows = await db.db.selectFrom('calls').selectAll().where('external_id', '=', externalId).execute();
    if (rows.length && rows.every(ok)) return rows;
    if (Date.now() > until) throw new Error(`call ${externalId} rows never matched: ${JSON.stringify(rows)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
