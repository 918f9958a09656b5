import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { AppError } from '../shared/errors.ts';
import { normalisePhone } from './phone-number.ts';
import {
  findByPhone,
  findCustomer,
  findCustomerDetails,
  findDuplicateCandidates,
  insertCustomer,
  insertEmails,
  insertPhones,
  lockCustomer,
  lockCustomers,
  lockDuplicateKeys,
  moveCustomerData,
  searchCustomers,
  softDeleteCustomer,
  updateCustomer,
  type CustomerSummary,
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

export type UpdateCustomerInput = Partial<Omit<CreateCustomerInput, 'kind' | 'phones' | 'emails'>> & {
  /** Only false: completes a provisional contact. */
  provisional?: false;
};

export interface SearchInput {
  q?: string;
  match?: 'prefix' | 'contains';
  phone?: string;
  email?: string;
  number?: string;
  limit?: number;
  offset?: number;
}

export interface SearchResult {
  items: CustomerSummary[];
  limit: number;
  offset: number;
  hasMore: boolean;
}

export const SEARCH_DEFAULT_LIMIT = 20;
export const SEARCH_MAX_LIMIT = 100;

/** A relation seen from its other end: A employee_of B → B employer_of A. */
export function inverseRelation(kind: string): string {
  const inverse: Record<string, string> = { employee_of: 'employer_of', subsidiary_of: 'parent_of' };
  return inverse[kind] ?? kind;
}

/**
 * Lock keys for everything the duplicate check matches on. A phone locks its tail for both of its
 * matches: equal E.164s have equal tails, and a number without E.164 is matched by tail. The name
 * only counts with a company, as the check compares it only then.
 */
function duplicateLockKeys(tails: string[], match: { emails: string[]; displayName: string; companyName: string | null }): string[] {
  return [
    ...tails.map((t) => `phone:${t}`),
    ...match.emails.map((e) => `email:${e}`),
    ...(match.companyName ? [`name:${match.displayName.toLowerCase()}\n${match.companyName.toLowerCase()}`] : []),
  ];
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
    return this.lookupNormalised(n);
  }

  /** `lookupByPhone` for a number already normalised (the SIP gateway reads it with the trunk's country). */
  async lookupNormalised(n: { e164: string | null; tail: string }): Promise<LookupResult> {
    const rows = await findByPhone(this.db, n, LOOKUP_LIMIT);
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
        matchedOn: r.exact ? 'e164' : 'tail',
        phone: { label: r.label, raw: r.raw, isPrimary: r.isPrimary },
      });
      if (matches.length >= LOOKUP_LIMIT) break;
    }
    const outcome = matches.length === 0 ? 'none' : matches.length === 1 ? 'single' : 'multiple';
    return { outcome, normalised: { e164: n.e164, tail: n.tail }, matches };
  }

  /**
   * `provisional`: a contact made from an unmatched call, for the agent to complete from the pop
   * (no duplicate check: the caller's number matched nobody).
   */
  async create(actor: Actor, input: CreateCustomerInput, opts: { force?: boolean; provisional?: boolean } = {}) {
    const phones = (input.phones ?? []).map((p, index) => {
      const n = normalisePhone(p.number, this.defaultCountry);
      if (!n) throw new AppError('INVALID_PHONE', `Phone ${index + 1} ("${p.number}") is not a phone number`, { index, number: p.number });
      return { ...p, n };
    });
    const hasPrimary = phones.some((p) => p.primary);
    const emails = (input.emails ?? []).map((e) => ({ label: e.label ?? 'main', email: e.email.trim() }));
    const companyName = nullIfEmpty(input.companyName);
    const displayName = input.displayName.trim();

    const match = {
      e164s: [...new Set(phones.flatMap((p) => (p.n.e164 ? [p.n.e164] : [])))],
      tails: [...new Set(phones.filter((p) => !p.n.e164).map((p) => p.n.tail))],
      emails: [...new Set(emails.map((e) => e.email.toLowerCase()))],
      displayName,
      companyName,
    };

    return this.db.transaction().execute(async (trx) => {
      // Without this, concurrent creates of one customer all pass the check below before any
      // inserts. Forced and provisional creates lock too, so a checked create waits for them.
      await lockDuplicateKeys(trx, duplicateLockKeys(phones.map((p) => p.n.tail), match));
      if (!opts.force && !opts.provisional) {
        const candidates = await findDuplicateCandidates(trx, match);
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
        provisional: opts.provisional === true,
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
      await recordAudit(trx, actor, { action: opts.provisional ? 'customer.create_provisional' : 'customer.create', entity: 'customer', entityId: customer.id, after: result });
      return result;
    });
  }

  async get(id: number) {
    const customer = await findCustomer(this.db, id);
    if (!customer || customer.deleted_at) throw new AppError('CUSTOMER_NOT_FOUND', `No customer ${id}`);
    const d = await findCustomerDetails(this.db, id);
    const relations = [
      ...d.outgoing.map((r) => ({ ...r, direction: 'outgoing' as const })),
      ...d.incoming.map((r) => ({ ...r, kind: inverseRelation(r.kind), direction: 'incoming' as const })),
    ];
    return { ...customer, phones: d.phones, emails: d.emails, relations, businessRecords: d.businessRecords, holdings: d.holdings };
  }

  /** Partial update; one transaction with the row locked, audited with the changed fields before and after. */
  async update(actor: Actor, id: number, input: UpdateCustomerInput) {
    const values: Record<string, unknown> = {};
    if (input.displayName !== undefined) {
      const d = input.displayName.trim();
      if (!d) throw new AppError('VALIDATION_FAILED', 'displayName must not be blank');
      values.display_name = d;
    }
    if (input.firstName !== undefined) values.first_name = nullIfEmpty(input.firstName);
    if (input.lastName !== undefined) values.last_name = nullIfEmpty(input.lastName);
    if (input.companyName !== undefined) values.company_name = nullIfEmpty(input.companyName);
    if (input.valueSegment !== undefined) values.value_segment = input.valueSegment;
    if (input.lifetimeValue !== undefined) values.lifetime_value = input.lifetimeValue.toFixed(2);
    if (input.language !== undefined) values.language = nullIfEmpty(input.language);
    if (input.tags !== undefined) values.tags = [...new Set(input.tags)];
    if (input.notes !== undefined) values.notes = nullIfEmpty(input.notes);
    if (input.provisional !== undefined) values.provisional = false;

    await this.db.transaction().execute(async (trx) => {
      const current = await lockCustomer(trx, id);
      if (!current || current.deleted_at || current.merged_into_id !== null) throw new AppError('CUSTOMER_NOT_FOUND', `No customer ${id}`);
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      const cur = current as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(values)) {
        if (JSON.stringify(cur[k]) === JSON.stringify(v) || (k === 'lifetime_value' && Number(cur[k]) === Number(v))) continue;
        before[k] = cur[k];
        after[k] = v;
      }
      await updateCustomer(trx, id, values);
      await recordAudit(trx, actor, { action: 'customer.update', entity: 'customer', entityId: id, before, after });
    });
    return this.get(id);
  }

  /** Search live customers by name, phone (any format), email or customer number, paged. */
  async search(input: SearchInput): Promise<SearchResult> {
    const limit = Math.min(Math.max(input.limit ?? SEARCH_DEFAULT_LIMIT, 1), SEARCH_MAX_LIMIT);
    const offset = Math.max(input.offset ?? 0, 0);
    let phone: { e164: string | null; tail: string } | undefined;
    if (input.phone !== undefined) {
      const n = normalisePhone(input.phone, this.defaultCountry);
      if (!n) throw new AppError('INVALID_PHONE', `"${input.phone}" is not a phone number`, { number: input.phone });
      phone = { e164: n.e164, tail: n.tail };
    }
    const q = input.q?.trim();
    const rows = await searchCustomers(
      this.db,
      {
        ...(q ? { name: { text: q, match: input.match ?? 'prefix' } } : {}),
        ...(phone ? { phone } : {}),
        ...(input.email?.trim() ? { email: input.email.trim() } : {}),
        ...(input.number?.trim() ? { number: input.number.trim() } : {}),
      },
      limit,
      offset,
    );
    return { items: rows.slice(0, limit), limit, offset, hasMore: rows.length > limit };
  }

  /** Soft delete: the customer disappears from lookup, search and get; the audit keeps the row. */
  async remove(actor: Actor, id: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const current = await lockCustomer(trx, id);
      if (!current || current.deleted_at) throw new AppError('CUSTOMER_NOT_FOUND', `No customer ${id}`);
      const after = await softDeleteCustomer(trx, id);
      await recordAudit(trx, actor, { action: 'customer.delete', entity: 'customer', entityId: id, before: current, after: { deleted_at: after.deleted_at } });
    });
  }

  /** Folds customer `sourceId` into `targetId` in one transaction; the source is left merged and deleted. */
  async merge(actor: Actor, targetId: number, sourceId: number) {
    if (targetId === sourceId) throw new AppError('VALIDATION_FAILED', 'A customer cannot be merged into itself', { id: targetId, sourceId });
    const moved = await this.db.transaction().execute(async (trx) => {
      const rows = await lockCustomers(trx, [targetId, sourceId]);
      const target = rows.find((r) => r.id === targetId);
      const source = rows.find((r) => r.id === sourceId);
      if (!target || target.deleted_at) throw new AppError('CUSTOMER_NOT_FOUND', `No customer ${targetId}`, { id: targetId });
      if (!source || source.deleted_at) throw new AppError('CUSTOMER_NOT_FOUND', `No customer ${sourceId}`, { id: sourceId });

      const counts = await moveCustomerData(trx, sourceId, targetId);
      const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];
      const older = (a: string | null, b: string | null) => (a && b ? (a < b ? a : b) : (a ?? b));
      const later = (a: Date | null, b: Date | null) => (a && b ? (a > b ? a : b) : (a ?? b));
      const updated = await updateCustomer(trx, targetId, {
        tags: union(target.tags, source.tags),
        roles: union(target.roles, source.roles),
        lifetime_value: sql<string>`lifetime_value + ${source.lifetime_value}::numeric`,
        first_name: target.first_name ?? source.first_name,
        last_name: target.last_name ?? source.last_name,
        company_name: target.company_name ?? source.company_name,
        language: target.language ?? source.language,
        customer_since: older(target.customer_since, source.customer_since),
        last_contact_at: later(target.last_contact_at, source.last_contact_at),
      });
      const mergedSource = await updateCustomer(trx, sourceId, { merged_into_id: targetId, deleted_at: sql<Date>`now()` });
      await recordAudit(trx, actor, {
        action: 'customer.merge',
        entity: 'customer',
        entityId: targetId,
        before: { target, source },
        after: { target: updated, source: { id: sourceId, merged_into_id: mergedSource.merged_into_id, deleted_at: mergedSource.deleted_at }, moved: counts },
      });
      return counts;
    });
    return { ...(await this.get(targetId)), moved };
  }
}
