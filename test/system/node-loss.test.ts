import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { TestClient } from '../helpers/agent-client.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { TestRedis } from '../helpers/redis.ts';
import { apiWith, startService, type ServiceProcess } from '../helpers/service-process.ts';
import type { Pop } from '../../src/pop/pop.types.ts';

/**
 * Two nodes; the one holding a call is killed with SIGKILL. The agent, connected to the other
 * node, is told the call ended and gets the queue's wrap-up; the PBX's `ended` is accepted by the
 * surviving node at once; a node restarted under the same NODE_ID closes its earlier run's calls.
 */
const ADMIN = 'node-loss-admin-key-0123456789abc';
const databaseUrl = inject('databaseUrl');
const redisUrl = inject('redisUrl');
const runnable = Boolean(databaseUrl && redisUrl);
if (!runnable) console.log('[node-loss] needs PostgreSQL and Redis (set DATABASE_URL and REDIS_URL): skipped');

const api = apiWith(ADMIN);

describe.skipIf(!runnable)('a node lost with calls on it', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let env: Record<string, string>;
  const nodes: ServiceProcess[] = [];
  const desks: TestClient[] = [];
  let b: ServiceProcess;

  const start = async (nodeId: string) => {
    const node = await startService({ ...env, NODE_ID: nodeId });
    nodes.push(node);
    return node;
  };
  const kill = async (node: ServiceProcess) => {
    const exited = new Promise((r) => node.proc.once('exit', r));
    node.proc.kill('SIGKILL');
    await exited;
  };
  const row = async (externalId: string, ok: (r: Record<string, any>) => boolean) => {
    for (;;) {
      const r = await db.db.selectFrom('calls').selectAll().where('external_id', '=', externalId).executeTakeFirst();
      if (r && ok(r)) return r;
      await new Promise((res) => setTimeout(res, 50));
    }
  };
  // An agent on node B, ready, whose desktop is on node B.
  const agentOnB = async (name: string) => {
    const agent = await api<{ agent: { id: string }; key: string }>(b.url, 'POST', '/v1/agents', { name, skills: ['lost'] });
    const desk = await TestClient.connect(b.url, '/agent', agent.body.key);
    desks.push(desk);
    expect((await desk.emit('agent:set-state', { status: 'ready' })).ok).toBe(true);
    return { id: agent.body.agent.id, key: agent.body.key, desk };
  };

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    redis = new TestRedis(redisUrl!);
    env = { DATABASE_URL: db.url!, REDIS_URL: redisUrl!, REDIS_KEY_PREFIX: redis.prefix, SCREENPOP_ADMIN_KEY: ADMIN, SEED_DEMO: 'false' };
    b = await start('node-b');
    expect((await api(b.url, 'POST', '/v1/queues', { id: 'lost', name: 'Lost', skill: 'lost', dialledNumbers: ['8000'], ringTimeoutSeconds: 60, wrapUpSeconds: 2 })).status).toBe(201);
  });

  afterAll(async () => {
    desks.forEach((d) => d.close());
    for (const n of nodes) if (n.proc.exitCode === null && n.proc.signalCode === null) await n.stop();
    await db?.close();
    await redis?.close();
  });

  it("tells the agent on another node the call ended, applies the queue's wrap-up, and takes the PBX's ended at once", async () => {
    const a = await start('node-a');
    const ada = await agentOnB('Ada');
    const offered = await api(a.url, 'POST', '/v1/call-events', { type: 'offered', callId: 'lost-1', from: '+1 415 555 0101', to: '8000' });
    expect(offered.status).toBe(200);
    await ada.desk.next<Pop>('call:offered', (p) => p.call.externalId === 'lost-1');
    expect((await api(a.url, 'POST', '/v1/call-events', { type: 'answered', callId: 'lost-1' })).status).toBe(200);
    await ada.desk.current<{ status: string }>('agent:state', (s) => s.status === 'on_call');

    await kill(a);
    const ended = await api(b.url, 'POST', '/v1/call-events', { type: 'ended', callId: 'lost-1', hangupBy: 'caller' });
    expect(ended.status).toBe(200);
    expect(ended.body.status).toBe('ended');
    const told = await ada.desk.next<{ callId: string; hangupBy: string; wrapUpUntil: string | null }>('call:ended', (e) => e.callId === offered.body.id);
    expect(told.hangupBy).toBe('system');
    expect(told.wrapUpUntil).not.toBeNull();
    await ada.desk.current<{ status: string }>('agent:state', (s) => s.status === 'wrap_up');
    // The queue's 2 s wrap-up ends by itself.
    await ada.desk.current<{ status: string }>('agent:state', (s) => s.status === 'ready', 30_000);
    expect(await row('lost-1', (r) => r.ended_at !== null)).toMatchObject({ status: 'ended', end_reason: 'node_lost', agent_id: Number(ada.id) });
  });

  it('closes the calls of its earlier run when restarted under the same NODE_ID', async () => {
    const c = await start('node-c');
    // Ada (from the test before) goes on a break, so the call is Bob's.
    for (const d of desks) expect((await d.emit('agent:set-state', { status: 'not_ready', reason: 'break' })).ok).toBe(true);
    const bob = await agentOnB('Bob');
    const offered = await api(c.url, 'POST', '/v1/call-events', { type: 'offered', callId: 'lost-2', from: '+1 415 555 0102', to: '8000' });
    expect(offered.status).toBe(200);
    await bob.desk.next<Pop>('call:offered', (p) => p.call.externalId === 'lost-2');
    expect((await api(c.url, 'POST', '/v1/call-events', { type: 'answered', callId: 'lost-2' })).status).toBe(200);
    await bob.desk.current<{ status: string }>('agent:state', (s) => s.status === 'on_call');
    // Still on a call: the agent cannot make themselves ready.
    expect((await api(b.url, 'PUT', '/v1/agents/me/state', { status: 'ready' }, bob.key)).status).toBe(409);

    await kill(c);
    const again = await start('node-c');
    expect(again.proc.exitCode).toBeNull();
    expect(await row('lost-2', (r) => r.ended_at !== null)).toMatchObject({ status: 'ended', end_reason: 'node_lost', hangup_by: 'system' });
    await bob.desk.next('call:ended', (e: { callId: string }) => e.callId === offered.body.id);
    await bob.desk.current<{ status: string }>('agent:state', (s) => s.status === 'ready', 30_000);
    expect((await api(b.url, 'PUT', '/v1/agents/me/state', { status: 'not_ready', reason: 'break' }, bob.key)).status).toBe(200);
  });
});
