import type { Kysely } from 'kysely';
import type { BusinessRecordKind, DB, RelationKind } from '../db/schema.ts';
import { systemActor } from '../auth/actor.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { normalisePhone } from './phone-number.ts';
import { countCustomers, insertCustomer, insertEmails, insertPhones, insertRelation } from './customer.repository.ts';

interface DemoCustomer {
  key: string;
  kind: 'person' | 'company';
  displayName: string;
  firstName?: string;
  lastName?: string;
  companyName?: string;
  valueSegment: string;
  lifetimeValue: number;
  language?: string;
  tags?: string[];
  customerSince?: string;
  phones: Array<{ label: string; number: string; primary?: boolean }>;
  emails?: string[];
  records?: Array<{ kind: BusinessRecordKind; reference: string; title: string; amount: number; status: string; daysAgo: number }>;
  holdings?: Array<{ code: string; name: string; since: string }>;
}

const DEMO: DemoCustomer[] = [
  {
    key: 'ada',
    kind: 'person',
    displayName: 'Ada Lovelace',
    firstName: 'Ada',
    lastName: 'Lovelace',
    valueSegment: 'platinum',
    lifetimeValue: 184_250,
    language: 'en',
    tags: ['vip'],
    customerSince: '2015-03-01',
    phones: [{ label: 'mobile', number: '(415) 555-0123', primary: true }],
    emails: ['ada@example.com'],
    records: [
      { kind: 'contract', reference: 'CT-2024-0042', title: 'Private banking agreement', amount: 0, status: 'active', daysAgo: 400 },
      { kind: 'quote', reference: 'Q-2025-1187', title: 'Mortgage refinancing offer', amount: 850_000, status: 'open', daysAgo: 3 },
      { kind: 'payment', reference: 'PAY-778120', title: 'Quarterly advisory fee', amount: 2_500, status: 'settled', daysAgo: 20 },
    ],
    holdings: [
      { code: 'CHK-PREMIER', name: 'Premier checking', since: '2015-03-01' },
      { code: 'INV-PORTFOLIO', name: 'Managed portfolio', since: '2018-06-15' },
    ],
  },
  {
    key: 'grace',
    kind: 'person',
    displayName: 'Grace Hopper',
    firstName: 'Grace',
    lastName: 'Hopper',
    valueSegment: 'gold',
    lifetimeValue: 42_300,
    language: 'en',
    customerSince: '2019-09-09',
    phones: [
      { label: 'home', number: '+1 415 555 0199', primary: true },
      { label: 'mobile', number: '(646) 555-0142' },
    ],
    emails: ['grace@example.com'],
    records: [{ kind: 'order', reference: 'ORD-55012', title: 'Home insurance renewal', amount: 1_240, status: 'completed', daysAgo: 45 }],
    holdings: [{ code: 'INS-HOME', name: 'Home insurance', since: '2019-09-09' }],
  },
  {
    key: 'vincent',
    kind: 'person',
    displayName: 'Vincent Hopper',
    firstName: 'Vincent',
    lastName: 'Hopper',
    valueSegment: 'standard',
    lifetimeValue: 3_100,
    language: 'en',
    phones: [{ label: 'home', number: '+1 415 555 0199', primary: true }],
    holdings: [{ code: 'CHK-BASIC', name: 'Basic checking', since: '2021-01-10' }],
  },
  {
    key: 'acme',
    kind: 'company',
    displayName: 'Acme Analytical Engines Inc.',
    companyName: 'Acme Analytical Engines Inc.',
    valueSegment: 'gold',
    lifetimeValue: 512_000,
    tags: ['b2b'],
    customerSince: '2012-05-20',
    phones: [{ label: 'switchboard', number: '+1 212 555 0199', primary: true }],
    emails: ['accounts@acme.example.com'],
    records: [
      { kind: 'contract', reference: 'CT-B2B-0007', title: 'Corporate fleet lease', amount: 240_000, status: 'active', daysAgo: 300 },
      { kind: 'order', reference: 'ORD-B2B-9931', title: 'Twelve additional vehicles', amount: 96_000, status: 'open', daysAgo: 7 },
    ],
    holdings: [{ code: 'LEASE-FLEET', name: 'Fleet lease', since: '2020-02-01' }],
  },
  {
    key: 'charles',
    kind: 'person',
    displayName: 'Charles Babbage',
    firstName: 'Charles',
    lastName: 'Babbage',
    companyName: 'Acme Analytical Engines Inc.',
    valueSegment: 'standard',
    lifetimeValue: 0,
    language: 'en',
    phones: [{ label: 'work', number: '+1 212 555 0188 x204', primary: true }],
    emails: ['charles@acme.example.com'],
  },
  {
    key: 'marie',
    kind: 'person',
    displayName: 'Marie Curie',
    firstName: 'Marie',
    lastName: 'Curie',
    valueSegment: 'silver',
    lifetimeValue: 12_800,
    language: 'fr',
    phones: [{ label: 'mobile', number: '+33 6 12 34 56 78', primary: true }],
    emails: ['marie@example.fr'],
    records: [{ kind: 'quote', reference: 'Q-2025-2040', title: 'Car insurance quote', amount: 890, status: 'open', daysAgo: 1 }],
  },
  {
    key: 'alan',
    kind: 'person',
    displayName: 'Alan Turing',
    firstName: 'Alan',
    lastName: 'Turing',
    valueSegment: 'standard',
    lifetimeValue: 640,
    language: 'en',
    phones: [{ label: 'home', number: '+44 20 7946 0958', primary: true }],
  },
  {
    key: 'katherine',
    kind: 'person',
    displayName: 'Katherine Johnson',
    firstName: 'Katherine',
    lastName: 'Johnson',
    valueSegment: 'gold',
    lifetimeValue: 28_900,
    language: 'en',
    phones: [{ label: 'mobile', number: '2025550173', primary: true }],
    emails: ['katherine@example.com'],
    holdings: [{ code: 'CARD-GOLD', name: 'Gold credit card', since: '2022-07-01' }],
  },
];

const RELATIONS: Array<[string, string, RelationKind]> = [
  ['vincent', 'grace', 'household_member'],
  ['charles', 'acme', 'employee_of'],
];

/** On an empty store only: a handful of demo customers so a fresh install has something to pop. */
export async function seedDemoIfEmpty(db: Kysely<DB>, country: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    if ((await countCustomers(trx)) > 0) return 0;
    const actor = systemActor('demo-seed');
    const ids = new Map<string, number>();
    for (const d of DEMO) {
      const customer = await insertCustomer(trx, {
        kind: d.kind,
        display_name: d.displayName,
        first_name: d.firstName ?? null,
        last_name: d.lastName ?? null,
        company_name: d.companyName ?? null,
        value_segment: d.valueSegment,
        lifetime_value: d.lifetimeValue,
        language: d.language ?? null,
        tags: d.tags ?? [],
        notes: null,
        customer_since: d.customerSince ?? null,
        merged_into_id: null,
      });
      ids.set(d.key, customer.id);
      const phones = await insertPhones(
        trx,
        d.phones.map((p) => {
          const n = normalisePhone(p.number, country) ?? { e164: null, tail: p.number.replace(/\D/g, '').slice(-9), extension: null };
          return { customer_id: customer.id, label: p.label, raw: p.number, e164: n.e164, tail: n.tail, extension: n.extension, is_primary: p.primary === true };
        }),
      );
      const emails = await insertEmails(
        trx,
        (d.emails ?? []).map((email) => ({ customer_id: customer.id, label: 'main', email })),
      );
      for (const r of d.records ?? []) {
        await trx
          .insertInto('business_records')
          .values({
            customer_id: customer.id,
            kind: r.kind,
            reference: r.reference,
            title: r.title,
            amount: r.amount,
            status: r.status,
            occurred_at: new Date(Date.now() - r.daysAgo * 86_400_000),
          })
          .execute();
      }
      for (const h of d.holdings ?? []) {
        await trx.insertInto('holdings').values({ customer_id: customer.id, product_code: h.code, product_name: h.name, since: h.since }).execute();
      }
      await recordAudit(trx, actor, { action: 'customer.create', entity: 'customer', entityId: customer.id, after: { ...customer, phones, emails } });
    }
    for (const [from, to, kind] of RELATIONS) {
      const fromId = ids.get(from);
      const toId = ids.get(to);
      if (fromId && toId) await insertRelation(trx, { from_customer_id: fromId, to_customer_id: toId, kind });
    }
    return DEMO.length;
  });
}
