import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { AppError } from '../shared/errors.ts';
import { normalisePhone } from './phone-number.ts';
import {
  findByPhoneKey,
  findCustomer,
  findCustomerDetails,
  findDuplicateCandidates,
  insertCustomer,
  insertEmails,
  insertPhones,
  type PhoneMatchRow,
} from './customer.repository.ts';

export const LOOKUP_LIMIT = 20;

export interface LookupMatch {
  id: number;
  customerNumber: string;
  displayName: string;
  companyName: string | null;
  valueSegment: string;
  matchedOn: 'e164' | 'tail';
  phone: { label: string; raw: string; isPrimary: boolean };
}

export interface LookupResult {
  outcome: 'single' | 'multiple' | 'none' | 'invalid';
  normalised: { e164: string | null; tail: string } | null;
  matches: LookupMatch[];
}

export interface CreateCustomerInput {
  kind?: 'person' | 'company';
  displayName: string;
  firstName?: string;
  lastName?: string;
  companyName?: string;
  valueSegment?: string;
  lifetimeValue?: number;
  language?: string;
  tags?: string[];
  notes?: string;
  phones?: Array<{ label?: string; number: string; primary?: boolean }>;
  emails?: Array<{ label?: string; email: string }>;
}

const nullIfEmpty = (s: string | undefined) => (s === undefined || s.trim() === '' ? null : s.trim());

export class CustomerService {
  readonly db: Kysely<DB>;
  readonly defaultCountry: string;

  constructor(db: Kysely<DB>, opts: { defaultCountry: string }) {
    this.db = db;
    this.defaultCountry = opts.defaultCountry;
  }

  /** Who is calling: exact E.164 match first, the tail of the number as the fallback. */
  async lookupByPhone(raw: string, defaultCountry?: string): Promise<LookupResult> {
    const n = normalisePhone(raw, defaultCountry ?? this.defaultCountry);
    if (!n) return { outcome: 'invalid', normalised: null, matches: [] };
    let rows: PhoneMatchRow[] = [];
    let matchedOn: 'e164' | 'tail' = 'tail';
    if (n.e164) {
      rows = await findByPhoneKey(this.db, 'e164', n.e164, LOOKUP_LIMIT);
      matchedOn = 'e164';
    }
    if (!rows.length) {
      rows = await findByPhoneKey(this.db, 'tail', n.tail, LOOKUP_LIMIT);
      matchedOn = 'tail';
    }
    const seen = new Set<number>();
    const matches: LookupMatch[] = [];
    for (const r of rows) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      matches.push({
        id: r.id,
        customerNumber: r.customerNumber,
        displayName: r.displayName,
        companyName: r.companyName,
        valueSegment: r.valueSegment,
        matchedOn,
        phone: { label: r.label, raw: r.raw, isPrimary: r.isPrimary },
      });
      if (matches.length >= LOOKUP_LIMIT) break;
    }
    const outcome = matches.length === 0 ? 'none' : matches.length === 1 ? 'single' : 'multiple';
    return { outcome, normalised: { e164: n.e164, tail: n.tail }, matches };
  }

  async create(actor: Actor, input: CreateCustomerInput, opts: { force?: boolean } = {}) {
    const phones = (input.phones ?? []).map((p, index) => {
      const n = normalisePhone(p.number, this.defaultCountry);
      if (!n) throw new AppError('INVALID_PHONE', `Phone ${index + 1} ("${p.number}") is not a phone number`, { index, number: p.number });
      return { ...p, n };
    });
    const hasPrimary = phones.some((p) => p.primary);
    const emails = (input.emails ?? []).map((e) => ({ label: e.label ?? 'main', email: e.email.trim() }));
    const companyName = nullIfEmpty(input.companyName);
    const displayName = input.displayName.trim();

    return this.db.transaction().execute(async (trx) => {
      if (!opts.force) {
        const candidates = await findDuplicateCandidates(trx, {
          e164s: [...new Set(phones.flatMap((p) => (p.n.e164 ? [p.n.e164] : [])))],
          tails: [...new Set(phones.filter((p) => !p.n.e164).map((p) => p.n.tail))],
          emails: [...new Set(emails.map((e) => e.email.toLowerCase()))],
          displayName,
          companyName,
        });
        if (candidates.length) {
          throw new AppError('DUPLICATE_CUSTOMER', 'A customer like this exists already; send ?force=true to create it anyway', { candidates });
        }
      }
      const customer = await insertCustomer(trx, {
        kind: input.kind ?? (companyName && !input.firstName && !input.lastName && displayName === companyName ? 'company' : 'person'),
        display_name: displayName,
        first_name: nullIfEmpty(input.firstName),
        last_name: nullIfEmpty(input.lastName),
        company_name: companyName,
        value_segment: input.valueSegment ?? 'standard',
        lifetime_value: input.lifetimeValue ?? 0,
        language: nullIfEmpty(input.language),
        tags: input.tags ?? [],
        notes: nullIfEmpty(input.notes),
        merged_into_id: null,
      });
      const phoneRows = await insertPhones(
        trx,
        phones.map((p, i) => ({
          customer_id: customer.id,
          label: p.label ?? 'main',
          raw: p.number,
          e164: p.n.e164,
          tail: p.n.tail,
          extension: p.n.extension,
          is_primary: hasPrimary ? p.primary === true : i === 0,
        })),
      );
      const emailRows = await insertEmails(
        trx,
        emails.map((e) => ({ customer_id: customer.id, ...e })),
      );
      const result = { ...customer, phones: phoneRows, emails: emailRows };
      await recordAudit(trx, actor, { action: 'customer.create', entity: 'customer', entityId: customer.id, after: result });
      return result;
    });
  }

  async get(id: number) {
    const customer = await findCustomer(this.db, id);
    if (!customer || customer.deleted_at) throw new AppError('CUSTOMER_NOT_FOUND', `No customer ${id}`);
    const d = await findCustomerDetails(this.db, id);
    const inverse: Record<string, string> = {
      employee_of: 'employer_of',
      subsidiary_of: 'parent_of',
      household_member: 'household_member',
      partner_of: 'partner_of',
    };
    const relations = [
      ...d.outgoing.map((r) => ({ ...r, direction: 'outgoing' as const })),
      ...d.incoming.map((r) => ({ ...r, kind: inverse[r.kind] ?? r.kind, direction: 'incoming' as const })),
    ];
    return { ...customer, phones: d.phones, emails: d.emails, relations, businessRecords: d.businessRecords, holdings: d.holdings };
  }
}
