import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../helpers/database.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { CallCenter } from '../helpers/call-center.ts';
import type { TestClient } from '../helpers/agent-client.ts';
import type { Pop } from '../../src/pop/pop.types.ts';

interface Item {
  id: number;
  at: string;
  actor: string;
  actorRole: string;
  action: string;
  entity: string;
  entityId: string | null;
  before: any;
  after: any;
}
interface Page {
  items: Item[];
  nextCursor: number | null;
}

describe.each(databaseKinds())('the audit trail on %s', (kind) => {
  let t: TestApp;
  let cc: CallCenter;
  let ann: { id: string; key: string; keyId: number; desk: TestClient };
  let integrator: { id: number; key: string };
  let supervisor: string;
  /** The calls of the story, by their external id. */
  const calls: Record<string, string> = {};
  let customerId: number;

  const trail = async (query: string, key = supervisor): Promise<Page> => {
    const r = await cc.api<Page>('GET', `/v1/audit?${query}`, undefined, key);
    expect(r.status).toBe(200);
    return r.body;
  };
  /** Every page of a query, walked with the cursor. */
  const walk = async (query: string, limit: number): Promise<Item[]> => {
    const all: Item[] = [];
    let cursor: number | null = null;
    do {
      const p: Page = await trail(`${query}&limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(p.items.length).toBeLessThanOrEqual(limit);
      all.push(...p.items);
      cursor = p.nextCursor;
    } while (cursor !== null);
    return all;
  };
  const states = (items: Item[]) => items.filter((i) => i.action === 'agent.state').map((i) => [i.before.status, i.after.status, i.after.reason, i.actor]);

  beforeAll(async () => {
    t = await createTestApp(kind, { AGENT_DISCONNECT_GRACE_SECONDS: '1' });
    cc = await CallCenter.on(t);
    // Calls to 8300 ring out after a second; calls to 8301 ring long enough to be answered.
    await cc.queue('aud', ['8300'], { ringTimeoutSeconds: 1, wrapUpSeconds: 0, maxWaitSeconds: 600 });
    await cc.queue('aud-long', ['8301'], { ringTimeoutSeconds: 60, wrapUpSeconds: 0 });
    integrator = (await cc.api('POST', '/v1/api-keys', { name: 'pbx', role: 'integrator' })).body;
    supervisor = (await cc.api('POST', '/v1/api-keys', { name: 'sup', role: 'supervisor' })).body.key;
    const a = await cc.agent('Ann', ['aud', 'aud-long']);
    const keyId = (await cc.api<Array<{ id: string; apiKeyId: number }>>('GET', '/v1/agents')).body.find((x) => x.id === a.id)!.apiKeyId;
    ann = { ...a, keyId };
  });
  afterAll(async () => {
    cc?.close();
    await t?.close();
  });

  it('records who changed an agent state: the agent, routing, a ring timeout, a call event, a lost desktop', async () => {
    // Ready from the desktop; the first call rings out (the system makes Ann not ready, "missed").
    expect((await ann.desk.emit('agent:set-state', { status: 'ready' })).ok).toBe(true);
    const offered = await cc.api('POST', '/v1/call-events', { type: 'offered', callId: 'aud-1', from: '+1 415 555 0142', to: '8300' }, integrator.key);
    expect(offered.status).toBe(200);
    calls['aud-1'] = offered.body.id;
    const pop = await ann.desk.next<Pop>('call:offered', (p) => p.call.externalId === 'aud-1');
    expect(pop.match.outcome).toBe('none');
    customerId = pop.customer!.id;
    await ann.desk.current<any>('agent:state', (s) => s.status === 'not_ready' && s.reason === 'missed');
    expect((await cc.api('POST', '/v1/call-events', { type: 'ended', callId: 'aud-1' }, integrator.key)).status).toBe(200);

    // Ready again over REST; the second call is answered and ended by the PBX, and wrapped up by Ann.
    expect((await cc.api('PUT', '/v1/agents/me/state', { status: 'ready' }, ann.key)).body.status).toBe('ready');
    calls['aud-2'] = (await cc.api('POST', '/v1/call-events', { type: 'offered', callId: 'aud-2', from: '+1 415 555 0142', to: '8301' }, integrator.key)).body.id;
    await ann.desk.next<Pop>('call:offered', (p) => p.call.externalId === 'aud-2');
    expect((await cc.api('POST', '/v1/call-events', { type: 'answered', callId: 'aud-2' }, integrator.key)).status).toBe(200);
    expect((await cc.api('POST', '/v1/call-events', { type: 'ended', callId: 'aud-2' }, integrator.key)).status).toBe(200);
    await ann.desk.current<any>('agent:state', (s) => s.status === 'wrap_up');
    expect((await ann.desk.emit('call:wrap-up', { callId: calls['aud-2'], disposition: 'resolved' })).ok).toBe(true);

    const annKey = `key:${ann.keyId}`;
    const pbx = `key:${integrator.id}`;
    const expected = [
      ['logged_out', 'ready', null, annKey],
      ['ready', 'ringing', null, 'system:routing'],
      ['ringing', 'not_ready', 'missed', 'system:ring-timeout'],
      ['not_ready', 'ready', null, annKey],
      ['ready', 'ringing', null, 'system:routing'],
      ['ringing', 'on_call', null, pbx],
      ['on_call', 'wrap_up', null, pbx],
      ['wrap_up', 'ready', null, annKey],
    ];
    // Newest first; written in batches just after the changes.
    await expect.poll(async () => states((await trail(`entity=agent&id=${ann.id}&limit=200`)).items).reverse()).toEqual(expected);
    const all = (await trail(`entity=agent&id=${ann.id}&limit=200`)).items;
    expect(all.at(-1)).toMatchObject({ action: 'agent.create', actor: 'bootstrap-admin', entityId: ann.id });
    const missed = all.find((i) => i.actor === 'system:ring-timeout')!;
    expect(missed).toMatchObject({ entity: 'agent', actorRole: 'admin', after: { callId: calls['aud-1'] } });

    // The same trail page by page, and the actor filter.
    expect(await walk(`entity=agent&id=${ann.id}`, 3)).toEqual(all);
    const byTimeout = (await trail('actor=system:ring-timeout')).items;
    expect(byTimeout.map((i) => i.id)).toEqual([missed.id]);

    // A desktop gone for the grace time: the system makes a ready agent not ready.
    const bob = await cc.agent('Bob', []);
    expect((await bob.desk.emit('agent:set-state', { status: 'ready' })).ok).toBe(true);
    bob.desk.close();
    await expect.poll(async () => (await cc.api('GET', '/v1/agents/me', undefined, bob.key)).body.state, { timeout: 10_000 }).toMatchObject({ status: 'not_ready', reason: 'disconnected' });
    await expect.poll(async () => states((await trail(`entity=agent&id=${bob.id}`)).items)[0]).toEqual(['ready', 'not_ready', 'disconnected', 'system:disconnect']);
  });

  it("records an integrator's call events with its key, in the same write as the call log", async () => {
    const pbx = `key:${integrator.id}`;
    const forCall = async (external: string) => (await trail(`entity=call&id=${calls[external]}&actor=${pbx}`)).items;
    await expect.poll(async () => (await forCall('aud-1')).map((i) => [i.action, i.after.status])).toEqual([
      ['call.ended', 'abandoned'],
      ['call.offered', 'queued'],
    ]);
    await expect.poll(async () => (await forCall('aud-2')).map((i) => i.action)).toEqual(['call.ended', 'call.answered', 'call.offered']);
    expect((await forCall('aud-2'))[1]).toMatchObject({ actorRole: 'integrator', entity: 'call', after: { agentId: ann.id } });
    // The wrap-up is Ann's, not the PBX's.
    expect((await trail(`entity=call&id=${calls['aud-2']}`)).items[0]).toMatchObject({ action: 'call.wrap_up', actor: `key:${ann.keyId}` });

    // Everything the key did, page by page: five call-log writes, and Ann's state on its answered and ended.
    const byPbx = await walk(`actor=${pbx}`, 2);
    expect(byPbx.map((i) => i.action).sort()).toEqual(['agent.state', 'agent.state', 'call.answered', 'call.ended', 'call.ended', 'call.offered', 'call.offered']);
    expect(new Set(byPbx.map((i) => i.id)).size).toBe(7);
    expect(byPbx.map((i) => i.id)).toEqual([...byPbx.map((i) => i.id)].sort((a, b) => b - a));
  });

  it('attributes a provisional customer to the call that created it, and shows the customer its trail', async () => {
    const byCall = (await trail(`actor=system:call:${calls['aud-1']}`)).items;
    expect(byCall).toHaveLength(1);
    expect(byCall[0]).toMatchObject({ action: 'customer.create_provisional', entity: 'customer', entityId: String(customerId) });

    const completed = await cc.api('PATCH', `/v1/customers/${customerId}`, { displayName: 'Grace Hopper', provisional: false }, ann.key);
    expect(completed.status).toBe(200);
    const own = await cc.api<Page>('GET', `/v1/customers/${customerId}/audit`, undefined, supervisor);
    expect(own.status).toBe(200);
    expect(own.body.items.map((i) => [i.action, i.actor])).toEqual([
      ['customer.update', `key:${ann.keyId}`],
      ['customer.create_provisional', `system:call:${calls['aud-1']}`],
    ]);
    expect(own.body.items[0]!.after).toMatchObject({ display_name: 'Grace Hopper', provisional: false });
    const paged = await cc.api<Page>('GET', `/v1/customers/${customerId}/audit?limit=1`, undefined, supervisor);
    expect(paged.body.items).toEqual(own.body.items.slice(0, 1));
    const rest = await cc.api<Page>('GET', `/v1/customers/${customerId}/audit?limit=1&cursor=${paged.body.nextCursor}`, undefined, supervisor);
    expect(rest.body).toEqual({ items: own.body.items.slice(1), nextCursor: null });
    expect((await cc.api('GET', '/v1/customers/987654321/audit', undefined, supervisor)).status).toBe(404);
  });

  it('filters by time with the times the trail itself shows', async () => {
    const all = (await trail(`entity=agent&id=${ann.id}&limit=200`)).items;
    const pivot = all[Math.floor(all.length / 2)]!;
    const from = (await trail(`entity=agent&id=${ann.id}&limit=200&from=${encodeURIComponent(pivot.at)}`)).items;
    const until = (await trail(`entity=agent&id=${ann.id}&limit=200&until=${encodeURIComponent(pivot.at)}`)).items;
    expect(from.map((i) => i.id)).toContain(pivot.id);
    expect(until.map((i) => i.id)).not.toContain(pivot.id);
    expect(from.every((i) => i.at >= pivot.at)).toBe(true);
    expect(until.every((i) => i.at <= pivot.at)).toBe(true);
    expect(from.length + until.length).toBe(all.length);
  });

  it('is for supervisors and admins only, and refuses filters it cannot use', async () => {
    for (const key of [ann.key, integrator.key]) {
      expect((await cc.api('GET', '/v1/audit', undefined, key)).status).toBe(403);
      expect((await cc.api('GET', `/v1/customers/${customerId}/audit`, undefined, key)).status).toBe(403);
    }
    expect((await cc.api('GET', '/v1/audit?limit=5')).status).toBe(200); // admin
    expect((await cc.api('GET', '/v1/audit?id=5', undefined, supervisor)).status).toBe(400);
    expect((await cc.api('GET', '/v1/audit?limit=201', undefined, supervisor)).status).toBe(400);
    expect((await cc.api('GET', '/v1/audit?actor=a%20b', undefined, supervisor)).status).toBe(400);
  });
});
