import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../helpers/database.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

describe.each(databaseKinds())('caller lookup fallback on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(async () => t?.close());

  const create = (displayName: string, number: string) =>
    t.app.inject({ method: 'POST', url: '/v1/customers?force=true', headers: t.admin, payload: { displayName, phones: [{ number }] } });
  const lookup = async (phone: string) =>
    (await t.app.inject({ url: `/v1/lookup?phone=${encodeURIComponent(phone)}`, headers: t.admin })).json();

  it('finds a number stored in a form that never became valid E.164 by its last digits', async () => {
    // Entered without its country on a US-default system: "020 7946 0958" is not a valid US number.
    expect((await create('Stored Badly', '020 7946 0958')).statusCode).toBe(201);
    const found = await lookup('+44 20 7946 0958');
    expect(found.outcome).toBe('single');
    expect(found.matches[0]).toMatchObject({ displayName: 'Stored Badly', matchedOn: 'tail' });
  });

  it('does not confuse two valid numbers of different countries that end in the same digits', async () => {
    expect((await create('Berlin Caller', '+49 30 12345678')).statusCode).toBe(201);
    expect((await create('Munich Caller', '+49 89 12345678')).statusCode).toBe(201);
    const berlin = await lookup('0049 30 12345678');
    expect(berlin.outcome).toBe('single');
    expect(berlin.matches[0]).toMatchObject({ displayName: 'Berlin Caller', matchedOn: 'e164' });
  });

  it('ranks exact E.164 matches before last-digit matches', async () => {
    // Created first, so only the ranking (not the id order) can put the exact match ahead.
    expect((await create('Digits Holder', '99 212 555 0147')).statusCode).toBe(201);
    expect((await create('Exact Holder', '+1 212 555 0147')).statusCode).toBe(201);
    const both = await lookup('(212) 555-0147');
    expect(both.matches.map((m: { displayName: string; matchedOn: string }) => [m.displayName, m.matchedOn])).toEqual([
      ['Exact Holder', 'e164'],
      ['Digits Holder', 'tail'],
    ]);
  });
});
