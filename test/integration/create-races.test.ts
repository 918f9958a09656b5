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

  const phoneFormats = ['+1 415 555 0177', '(415) 555-0177', '415.555.0177', 'tel:+1-415-555-0177'];

  it('creates one customer from concurrent creates sharing a phone; the others get the duplicate answer a later create gets', async () => {
    const rs = await race('/v1/customers', (i) => ({ displayName: `Phone Racer ${i}`, phones: [{ number: phoneFormats[i % phoneFormats.length]! }] }));
    expect(statuses(rs), rs.map((r) => r.body).join('\n')).toEqual(ONE_WINNER);
    const winner = rs.find((r) => r.statusCode === 201)!.json() as { id: number; customer_number: string; display_name: string };

    const sequential = await post('/v1/customers', { displayName: 'Phone Latecomer', phones: [{ number: '+14155550177' }] });
    expect(sequential.statusCode).toBe(409);
    expect(sequential.json()).toEqual({
      error: {
        code: 'DUPLICATE_CUSTOMER',
        message: expect.stringContaining('?force=true'),
        details: { candidates: [{ id: winner.id, customerNumber: winner.customer_number, displayName: winner.display_name, companyName: null, reason: 'phone' }] },
      },
    });
    expect(losers(rs)).toEqual(Array(RACERS - 1).fill(sequential.json()));

    const phones = await t.database.db.selectFrom('customer_phones').select('customer_id').where('e164', '=', '+14155550177').execute();
    expect(phones).toEqual([{ customer_id: winner.id }]);
  });

  it('creates one customer from concurrent creates sharing an e-mail (in any case)', async () => {
    const rs = await race('/v1/customers', (i) => ({ displayName: `Mail Racer ${i}`, emails: [{ email: i % 2 ? 'Racer@Example.com' : 'racer@example.com' }] }));
    expect(statuses(rs), rs.map((r) => r.body).join('\n')).toEqual(ONE_WINNER);
    const winner = rs.find((r) => r.statusCode === 201)!.json() as { id: number };
    for (const body of losers(rs)) {
      expect(body).toMatchObject({ error: { code: 'DUPLICATE_CUSTOMER', details: { candidates: [{ id: winner.id, reason: 'email' }] } } });
      expect(body.error.details.candidates).toHaveLength(1);
    }

    const rows = await t.database.db
      .selectFrom('customer_emails')
      .select('customer_id')
      .where((eb) => eb(eb.fn('lower', ['email']), '=', 'racer@example.com'))
      .execute();
    expect(rows).toEqual([{ customer_id: winner.id }]);
  });

  it('still creates a second customer with the same phone when forced', async () => {
    const first = await post('/v1/customers', { displayName: 'Forced One', phones: [{ number: '+1 415 555 0178' }] });
    expect(first.statusCode, first.body).toBe(201);
    const forced = await post('/v1/customers?force=true', { displayName: 'Forced Two', phones: [{ number: '(415) 555-0178' }] });
    expect(forced.statusCode, forced.body).toBe(201);

    const lookup = await t.app.inject({ method: 'GET', url: '/v1/lookup?phone=%2B14155550178', headers: t.admin });
    expect(lookup.json().outcome).toBe('multiple');
    expect(lookup.json().matches.map((m: { id: number }) => m.id).sort()).toEqual([first.json().id, forced.json().id].sort());
  });
});
