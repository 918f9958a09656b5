import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { databaseKinds } from '../helpers/database.ts';

describe.each(databaseKinds())('customers on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { DEFAULT_COUNTRY: 'US' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (body: unknown, query = '') =>
    t.app.inject({ method: 'POST', url: `/v1/customers${query}`, headers: t.admin, payload: body as Record<string, unknown> });
  const lookup = (phone: string) =>
    t.app.inject({ method: 'GET', url: `/v1/lookup?phone=${encodeURIComponent(phone)}`, headers: t.admin });

  let adaId = 0;

  it('creates a customer and finds it by the same number in many formats', async () => {
    const res = await post({
      displayName: 'Ada Lovelace',
      firstName: 'Ada',
      lastName: 'Lovelace',
      valueSegment: 'platinum',
      phones: [{ label: 'mobile', number: '(415) 555-0123' }],
      emails: [{ email: 'ada@example.com' }],
    });
    expect(res.statusCode, res.body).toBe(201);
    adaId = res.json().id;
    expect(adaId).toBeGreaterThan(0);
    expect(res.json().phones[0]).toMatchObject({ e164: '+14155550123', is_primary: true });

    for (const phone of ['+14155550123', '415.555.0123', 'tel:+1-415-555-0123']) {
      const r = await lookup(phone);
      expect(r.statusCode, r.body).toBe(200);
      const body = r.json();
      expect(body.outcome, phone).toBe('single');
      expect(body.matches).toHaveLength(1);
      expect(body.matches[0]).toMatchObject({ id: adaId, displayName: 'Ada Lovelace', valueSegment: 'platinum', matchedOn: 'e164' });
      expect(body.matches[0].phone).toMatchObject({ raw: '(415) 555-0123', isPrimary: true, label: 'mobile' });
    }
  });

  it('reads the customer back with its details', async () => {
    const r = await t.app.inject({ method: 'GET', url: `/v1/customers/${adaId}`, headers: t.admin });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ id: adaId, display_name: 'Ada Lovelace', relations: [], businessRecords: [], holdings: [] });
    expect(r.json().phones).toHaveLength(1);
    expect(r.json().emails).toHaveLength(1);
    const missing = await t.app.inject({ method: 'GET', url: '/v1/customers/999999', headers: t.admin });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('CUSTOMER_NOT_FOUND');
  });

  it('refuses a duplicate phone unless forced, then lookup finds both', async () => {
    const dup = await post({ displayName: 'Someone Else', phones: [{ number: '+1 415 555 0123' }] });
    expect(dup.statusCode, dup.body).toBe(409);
    expect(dup.json().error.code).toBe('DUPLICATE_CUSTOMER');
    expect(dup.json().error.details.candidates).toEqual([expect.objectContaining({ id: adaId })]);

    const forced = await post({ displayName: 'Someone Else', phones: [{ number: '+1 415 555 0123' }] }, '?force=true');
    expect(forced.statusCode, forced.body).toBe(201);

    const r = await lookup('415-555-0123');
    expect(r.json().outcome).toBe('multiple');
    expect(r.json().matches.map((m: { id: number }) => m.id).sort()).toEqual([adaId, forced.json().id].sort());
  });

  it('refuses a duplicate email', async () => {
    const dup = await post({ displayName: 'Countess', emails: [{ email: 'ADA@example.com' }] });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('DUPLICATE_CUSTOMER');
  });

  it('rejects an invalid phone and writes nothing', async () => {
    const res = await post({ displayName: 'Nobody Phone', phones: [{ number: 'anonymous' }] });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('INVALID_PHONE');
    expect(res.json().error.message).toContain('anonymous');
    const rows = await t.database.db.selectFrom('customers').select('id').where('display_name', '=', 'Nobody Phone').execute();
    expect(rows).toHaveLength(0);
  });

  it('audits every create', async () => {
    const rows = await t.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'customer.create')
      .where('entity_id', '=', String(adaId))
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: 'bootstrap-admin', entity: 'customer' });
  });

  it('reports none and invalid lookups', async () => {
    expect((await lookup('+44 20 7946 0958')).json()).toMatchObject({ outcome: 'none', matches: [] });
    expect((await lookup('anonymous')).json()).toMatchObject({ outcome: 'invalid', normalised: null, matches: [] });
  });

  it('needs authentication', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/v1/lookup?phone=4155550123' });
    expect(r.statusCode).toBe(401);
    const p = await t.app.inject({ method: 'POST', url: '/v1/customers', payload: { displayName: 'X' } });
    expect(p.statusCode).toBe(401);
  });

  it('rejects unknown fields', async () => {
    const res = await post({ displayName: 'Extra Field', favouriteColour: 'blue' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    const nested = await post({ displayName: 'Extra Field', phones: [{ number: '4155550100', fax: true }] });
    expect(nested.statusCode).toBe(400);
  });
});

describe.each(databaseKinds())('demo seed on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { SEED_DEMO: 'true', DEFAULT_COUNTRY: 'US' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('seeds an empty store once, with lookups that pop', async () => {
    const { seedDemoIfEmpty } = await import('../../src/customers/demo-seed.ts');
    expect(await seedDemoIfEmpty(t.database.db, 'US')).toBe(0); // already seeded by the container

    const ada = await t.app.inject({ method: 'GET', url: '/v1/lookup?phone=%2B14155550123', headers: t.admin });
    expect(ada.json()).toMatchObject({ outcome: 'single', matches: [{ displayName: 'Ada Lovelace', valueSegment: 'platinum' }] });

    const household = await t.app.inject({ method: 'GET', url: '/v1/lookup?phone=4155550199', headers: t.admin });
    expect(household.json().outcome).toBe('multiple');
    expect(household.json().matches).toHaveLength(2);

    const full = await t.app.inject({ method: 'GET', url: `/v1/customers/${ada.json().matches[0].id}`, headers: t.admin });
    expect(full.json().businessRecords.length).toBeGreaterThan(0);
    expect(full.json().holdings.length).toBeGreaterThan(0);

    const vincent = household.json().matches.find((m: { displayName: string }) => m.displayName === 'Vincent Hopper');
    const v = await t.app.inject({ method: 'GET', url: `/v1/customers/${vincent.id}`, headers: t.admin });
    expect(v.json().relations).toEqual([expect.objectContaining({ kind: 'household_member', displayName: 'Grace Hopper', direction: 'outgoing' })]);

    const audits = await t.database.db.selectFrom('audit_log').select('actor').where('action', '=', 'customer.create').execute();
    expect(audits.length).toBeGreaterThanOrEqual(8);
    expect(audits.every((a) => a.actor === 'system:demo-seed')).toBe(true);
  });
});
