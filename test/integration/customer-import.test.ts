import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { databaseKinds } from '../helpers/database.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

const count = async (t: TestApp, table: 'customers' | 'customer_phones' | 'audit_log') =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(t.database.db)).rows[0]?.n);

describe.each(databaseKinds())('CSV import on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(async () => t?.close());

  const post = (csv: string | Buffer, query = '') =>
    t.app.inject({ method: 'POST', url: `/v1/customers/import${query}`, headers: { ...t.admin, 'content-type': 'text/csv' }, payload: csv });

  it('creates good rows and reports each broken one by line, writing nothing of a broken row', async () => {
    const csv = [
      'display_name,company_name,phone,email,value_segment,tags',
      'Zhang Wei 张伟,北京星辰科技,00 86 10 1234 5678,zhang@example.cn,gold,vip;beijing',
      'Ana García,,+34 612 345 678,ana@example.es,,',
      'No Phone Person,,not a number,,,',
      ',,+1 415 555 0142,,,',
      'Broken "quote,x,y,z',
      'Greta Berg,,+49 30 1234567,greta@example.de,standard,',
    ].join('\n');
    const before = await count(t, 'customers');
    const res = await post(csv);
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report.created).toBe(3);
    expect(report.failed).toBe(3);
    expect(report.errors.map((e: { line: number; code: string }) => [e.line, e.code])).toEqual(
      expect.arrayContaining([
        [4, 'INVALID_PHONE'],
        [5, 'VALIDATION_FAILED'],
        [6, 'MALFORMED_ROW'],
      ]),
    );
    expect(await count(t, 'customers')).toBe(before + 3);
    const found = (await t.app.inject({ url: '/v1/lookup?phone=%2B861012345678', headers: t.admin })).json();
    expect(found.outcome).toBe('single');
    expect(found.matches[0].displayName).toBe('Zhang Wei 张伟');
  });

  it('applies the duplicate check per row unless forced', async () => {
    const csv = 'display_name,phone\nAna Again,0034 612 345 678\n';
    const first = (await post(csv)).json();
    expect(first.created).toBe(0);
    expect(first.errors[0].code).toBe('DUPLICATE_CUSTOMER');
    const forced = (await post(csv, '?force=true')).json();
    expect(forced.created).toBe(1);
  });

  it('refuses text that is not UTF-8 and a header with unknown columns', async () => {
    const latin1 = Buffer.concat([Buffer.from('display_name,phone\n'), Buffer.from([0x4a, 0xfc, 0x72, 0x67, 0x65, 0x6e]), Buffer.from(',+49 30 7654321\n')]);
    const bad = (await post(latin1)).json();
    expect(bad.created).toBe(0);
    expect(bad.errors[0].message).toMatch(/UTF-8/);

    const res = await post('display_name,shoe_size\nX,42\n');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('streams a file of many rows without holding it, auditing every created customer', async () => {
    const rows = 3000;
    const auditBefore = await count(t, 'audit_log');
    async function* lines() {
      yield 'first_name,last_name,phone\n';
      for (let i = 0; i < rows; i++) yield `Bulk,Person ${i},+1 212 ${String(200 + (i % 700)).padStart(3, '0')} ${String(1000 + i).slice(-4)}\n`;
    }
    const { importCustomersCsv } = await import('../../src/customers/customer-import.ts');
    const progress: number[] = [];
    const report = await importCustomersCsv(t.container.customers, { id: 'test', role: 'admin', keyId: null, name: 'test' }, Readable.from(lines()), {
      force: true,
      onProgress: (r) => progress.push(r.rows),
    });
    expect(report).toMatchObject({ rows, created: rows, failed: 0 });
    expect(progress.at(-1)).toBe(rows);
    expect(await count(t, 'audit_log')).toBe(auditBefore + rows);
  });
});
