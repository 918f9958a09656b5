import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { databaseKinds } from '../helpers/database.ts';

const RACERS = 8;

/** Statuses sorted, so the assertion reads as the multiset it is. */
const statuses = (rs: LightMyRequestResponse[]) => rs.map((r) => r.statusCode).sort((a, b) => a - b);
const ONE_WINNER = [201, ...Array<number>(RACERS - 1).fill(409)];

describe.each(databaseKinds())('concurrent creates of one thing on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { DEFAULT_COUNTRY: 'US' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (url: string, body: object) => t.app.inject({ method: 'POST', url, headers: t.admin, payload: body });
  /** RACERS requests at once, the i-th with body(i). */
  const race = (url: string, body: (i: number) => object) => Promise.all(Array.from({ length: RACERS }, (_, i) => post(url, body(i))));
  const losers = (rs: LightMyRequestResponse[]) => rs.filter((r) => r.statusCode !== 201).map((r) => r.json());

  it('creates a queue once; the others get 409 CONFLICT, and one default queue remains', async () => {
    const rs = await race('/v1/queues', () => ({ id: 'raced', name: 'Raced', skill: 'raced', dialledNumbers: ['8300'], isDefault: true }));
    expect(statuses(rs), rs.map((r) => r.body).join('\n')).toEqual(ONE_WINNER);
    for (const body of losers(rs)) expect(body).toEqual({ error: { code: 'CONFLICT', message: expect.any(String) } });

    const rows = await t.database.db.selectFrom('queues').select('id').where('id', '=', 'raced').execute();
    expect(rows).toHaveLength(1);
    const defaults = await t.database.db.selectFrom('queues').select('id').where('is_default', '=', true).execute();
    expect(defaults).toEqual([{ id: 'raced' }]);
    const audits = await t.database.db.selectFrom('audit_log').select('id').where('action', '=', 'queue.create').where('entity_id', '=', 'raced').execute();
    expect(audits).toHaveLength(1);
    expect(t.container.queues.forDialled('8300')?.id).toBe('raced');
  });

  it('creates a trunk once; the others get 409 CONFLICT', async () => {
    const rs = await race('/v1/trunks', () => ({ name: 'raced-pbx', sources: ['203.0.113.9'] }));
    expect(statuses(rs), rs.map((r) => r.body).join('\n')).toEqual(ONE_WINNER);
    for (const body of losers(rs)) expect(body).toEqual({ error: { code: 'CONFLICT', message: 'Trunk raced-pbx exists already' } });

    const rows = await t.database.db.selectFrom('trunks').select('name').where('name', '=', 'raced-pbx').execute();
    expect(rows).toHaveLength(1);
    expect(t.container.trunks.forSource('203.0.113.9')?.trunk.name).toBe('raced-pbx');
  });

  it('agents have no unique name: concurrent creates each make their own agent with its own key, none fails', async () => {
    const rs = await race('/v1/agents', () => ({ name: 'Same Name', skills: ['raced'] }));
    expect(statuses(rs), rs.map((r) => r.body).join('\n')).toEqual(Array(RACERS).fill(201));
    const created = rs.map((r) => r.json() as { agent: { id: string }; key: string });
    expect(new Set(created.map((c) => c.agent.id)).size).toBe(RACERS);
    expect(new Set(created.map((c) => c.key)).size).toBe(RACERS);
    const rows = await t.database.db.selectFrom('agents').select('id').where('name', '=', 'Same Name').execute();
    expect(rows).toHaveLength(RACERS);
  });
});
