import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { databaseKinds } from '../helpers/database.ts';

describe.each(databaseKinds())('customer maintenance on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { DEFAULT_COUNTRY: 'US' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const create = async (body: Record<string, unknown>) => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/customers?force=true', headers: t.admin, payload: body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: number; customer_number: string };
  };
  const patch = (id: number, body: unknown) =>
    t.app.inject({ method: 'PATCH', url: `/v1/customers/${id}`, headers: t.admin, payload: body as Record<string, unknown> });
  const search = (query: string) => t.app.inject({ method: 'GET', url: `/v1/customers?${query}`, headers: t.admin });
  const lookup = (phone: string) => t.app.inject({ method: 'GET', url: `/v1/lookup?phone=${encodeURIComponent(phone)}`, headers: t.admin });
  const del = (id: number) => t.app.inject({ method: 'DELETE', url: `/v1/customers/${id}`, headers: t.admin });
  const merge = (id: number, sourceId: number) =>
    t.app.inject({ method: 'POST', url: `/v1/customers/${id}/merge`, headers: t.admin, payload: { sourceId } });
  const audits = (action: string, id: number) =>
    t.database.db.selectFrom('audit_log').selectAll().where('action', '=', action).where('entity_id', '=', String(id)).execute();
  const ids = (r: { json(): { items: { id: number }[] } }) => r.json().items.map((i) => i.id);

  describe('PATCH', () => {
    it('changes fields, completes a provisional contact and audits before/after', async () => {
      const c = await create({ displayName: 'Patchy Person', valueSegment: 'standard', phones: [{ number: '(212) 555-0101' }] });
      await t.database.db.updateTable('customers').set({ provisional: true }).where('id', '=', c.id).execute();

      const res = await patch(c.id, { displayName: 'Patricia Person', valueSegment: 'gold', lifetimeValue: 1234.5, tags: ['vip'], provisional: false });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ id: c.id, display_name: 'Patricia Person', value_segment: 'gold', tags: ['vip'], provisional: false });
      expect(Number(res.json().lifetime_value)).toBe(1234.5);
      expect(res.json().phones).toHaveLength(1);

      const rows = await audits('customer.update', c.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.before).toMatchObject({ display_name: 'Patchy Person', value_segment: 'standard', provisional: true });
      expect(rows[0]!.after).toMatchObject({ display_name: 'Patricia Person', value_segment: 'gold', provisional: false });
      expect(rows[0]!.before).not.toHaveProperty('notes');
    });

    it('rejects unknown fields, provisional:true and missing customers', async () => {
      const c = await create({ displayName: 'Strict Patch' });
      const extra = await patch(c.id, { displayName: 'X', favouriteColour: 'blue' });
      expect(extra.statusCode).toBe(400);
      expect(extra.json().error.code).toBe('VALIDATION_FAILED');
      expect((await patch(c.id, { provisional: true })).statusCode).toBe(400);
      expect((await patch(c.id, {})).statusCode).toBe(400);
      const missing = await patch(999999, { notes: 'x' });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error.code).toBe('CUSTOMER_NOT_FOUND');
    });
  });

  describe('search', () => {
    let zed1 = 0;
    let zed2 = 0;
    let zed3 = 0;
    beforeAll(async () => {
      zed1 = (await create({ displayName: 'Zebulon Alpha', phones: [{ number: '+1 303 555 0111' }], emails: [{ email: 'Zeb.Alpha@Example.com' }] })).id;
      zed2 = (await create({ displayName: 'Zebulon Beta' })).id;
      zed3 = (await create({ displayName: 'zebulon Gamma' })).id;
      await create({ displayName: 'Zeb_ulon Underscore' });
    });

    it('finds by name prefix, case-insensitively, ordered by name', async () => {
      const r = await search('q=zebulon');
      expect(r.statusCode, r.body).toBe(200);
      expect(ids(r)).toEqual([zed1, zed2, zed3]);
      expect(r.json()).toMatchObject({ limit: 20, offset: 0, hasMore: false });
      expect(r.json().items[0]).toMatchObject({ displayName: 'Zebulon Alpha', customerNumber: expect.any(String) });
      // LIKE wildcards in q are literal
      expect(ids(await search('q=zeb_'))).toHaveLength(1);
      expect(ids(await search('q=%25bulon'))).toEqual([]);
      // contains
      expect(ids(await search('q=beta&match=contains'))).toEqual([zed2]);
    });

    it('paginates', async () => {
      const p1 = await search('q=zebulon&limit=2');
      expect(ids(p1)).toEqual([zed1, zed2]);
      expect(p1.json().hasMore).toBe(true);
      const p2 = await search('q=zebulon&limit=2&offset=2');
      expect(ids(p2)).toEqual([zed3]);
      expect(p2.json().hasMore).toBe(false);
      expect((await search('limit=101')).statusCode).toBe(400);
    });

    it('finds by phone in another format, by email and by number', async () => {
      expect(ids(await search(`phone=${encodeURIComponent('(303) 555-0111')}`))).toEqual([zed1]);
      expect(ids(await search('phone=3035550111'))).toEqual([zed1]);
      expect(ids(await search(`email=${encodeURIComponent('zeb.alpha@example.COM')}`))).toEqual([zed1]);
      const number = (await t.app.inject({ method: 'GET', url: `/v1/customers/${zed2}`, headers: t.admin })).json().customer_number;
      expect(ids(await search(`number=${number}`))).toEqual([zed2]);
      expect((await search('phone=anonymous')).json().error.code).toBe('INVALID_PHONE');
    });
  });

  describe('DELETE', () => {
    it('soft-deletes: gone from lookup, search and get; audited; second delete is 404', async () => {
      const c = await create({ displayName: 'Doomed Dora', phones: [{ number: '+1 503 555 0177' }] });
      expect((await lookup('503-555-0177')).json().outcome).toBe('single');

      const r = await del(c.id);
      expect(r.statusCode, r.body).toBe(204);
      expect((await lookup('503-555-0177')).json().outcome).toBe('none');
      expect(ids(await search('q=doomed'))).toEqual([]);
      expect((await t.app.inject({ method: 'GET', url: `/v1/customers/${c.id}`, headers: t.admin })).statusCode).toBe(404);
      expect((await patch(c.id, { notes: 'x' })).statusCode).toBe(404);
      expect(await audits('customer.delete', c.id)).toHaveLength(1);

      const again = await del(c.id);
      expect(again.statusCode).toBe(404);
      expect(again.json().error.code).toBe('CUSTOMER_NOT_FOUND');
      const row = await t.database.db.selectFrom('customers').select('deleted_at').where('id', '=', c.id).executeTakeFirstOrThrow();
      expect(row.deleted_at).not.toBeNull();
    });
  });

  describe('merge', () => {
    it('folds the source into the target', async () => {
      const target = await create({
        displayName: 'Merge Target',
        tags: ['a'],
        lifetimeValue: 100,
        phones: [{ number: '+1 617 555 0100' }, { number: '+1 617 555 0102' }],
        emails: [{ email: 'same@example.com' }],
      });
      const source = await create({
        displayName: 'Merge Source',
        tags: ['a', 'b'],
        lifetimeValue: 50.25,
        phones: [{ number: '+1 617 555 0101' }, { number: '617-555-0102' }],
        emails: [{ email: 'SAME@example.com' }, { email: 'other@example.com' }],
      });
      const friend = await create({ displayName: 'Merge Friend' });
      const db = t.database.db;
      await db
        .insertInto('customer_relations')
        .values([
          { from_customer_id: source.id, to_customer_id: friend.id, kind: 'partner_of' },
          { from_customer_id: friend.id, to_customer_id: source.id, kind: 'household_member' },
          { from_customer_id: target.id, to_customer_id: friend.id, kind: 'partner_of' }, // duplicate after repointing
          { from_customer_id: source.id, to_customer_id: target.id, kind: 'household_member' }, // would become a self-relation
        ])
        .execute();
      await db.insertInto('business_records').values({ customer_id: source.id, kind: 'order', reference: 'O-1', title: 'Order one', amount: 10 }).execute();
      await db.insertInto('holdings').values({ customer_id: source.id, product_code: 'P1', product_name: 'Product one' }).execute();

      expect((await merge(target.id, target.id)).json().error.code).toBe('VALIDATION_FAILED');
      expect((await merge(target.id, 999999)).statusCode).toBe(404);
      expect((await merge(999999, source.id)).statusCode).toBe(404);

      const r = await merge(target.id, source.id);
      expect(r.statusCode, r.body).toBe(200);
      const m = r.json();
      expect(m.id).toBe(target.id);
      expect(m.phones.map((p: { e164: string }) => p.e164).sort()).toEqual(['+16175550100', '+16175550101', '+16175550102']);
      expect(m.phones.filter((p: { is_primary: boolean }) => p.is_primary)).toHaveLength(1);
      expect(m.emails.map((e: { email: string }) => e.email.toLowerCase()).sort()).toEqual(['other@example.com', 'same@example.com']);
      expect(m.businessRecords).toEqual([expect.objectContaining({ reference: 'O-1' })]);
      expect(m.holdings).toEqual([expect.objectContaining({ product_code: 'P1' })]);
      expect([...m.tags].sort()).toEqual(['a', 'b']);
      expect(Number(m.lifetime_value)).toBe(150.25);
      expect(m.relations).toHaveLength(2);
      expect(m.relations).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ customerId: friend.id, kind: 'partner_of', direction: 'outgoing' }),
          expect.objectContaining({ customerId: friend.id, kind: 'household_member', direction: 'incoming' }),
        ]),
      );
      expect(m.moved).toMatchObject({ phones: 1, emails: 1, businessRecords: 1, holdings: 1 });

      // The source is retired; the target answers for the source's old number.
      const src = await db.selectFrom('customers').selectAll().where('id', '=', source.id).executeTakeFirstOrThrow();
      expect(src.merged_into_id).toBe(target.id);
      expect(src.deleted_at).not.toBeNull();
      expect((await t.app.inject({ method: 'GET', url: `/v1/customers/${source.id}`, headers: t.admin })).statusCode).toBe(404);
      const l = await lookup('(617) 555-0101');
      expect(l.json()).toMatchObject({ outcome: 'single', matches: [{ id: target.id }] });
      expect((await lookup('617 555 0102')).json()).toMatchObject({ outcome: 'single', matches: [{ id: target.id }] });
      expect(ids(await search('q=merge source'))).toEqual([]);

      const rows = await audits('customer.merge', target.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.before).toMatchObject({ target: { id: target.id }, source: { id: source.id } });
      expect(rows[0]!.after).toMatchObject({ target: { id: target.id }, source: { merged_into_id: target.id } });

      // Merging an already-merged source again is 404.
      expect((await merge(target.id, source.id)).statusCode).toBe(404);
    });
  });

  describe('roles', () => {
    it('lets an agent update and search but not delete or merge', async () => {
      const key = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: t.admin, payload: { name: 'desk agent', role: 'agent' } });
      expect(key.statusCode, key.body).toBe(201);
      const agent = { authorization: `Bearer ${key.json().key}` };
      const a = await create({ displayName: 'Role Check A' });
      const b = await create({ displayName: 'Role Check B' });
      const upd = await t.app.inject({ method: 'PATCH', url: `/v1/customers/${a.id}`, headers: agent, payload: { notes: 'called twice' } });
      expect(upd.statusCode, upd.body).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/v1/customers?q=role%20check', headers: agent })).json().items).toHaveLength(2);
      const d = await t.app.inject({ method: 'DELETE', url: `/v1/customers/${a.id}`, headers: agent });
      expect(d.statusCode).toBe(403);
      const m = await t.app.inject({ method: 'POST', url: `/v1/customers/${a.id}/merge`, headers: agent, payload: { sourceId: b.id } });
      expect(m.statusCode).toBe(403);
    });
  });
});
