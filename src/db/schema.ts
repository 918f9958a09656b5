import type { ColumnType, Generated } from 'kysely';

/** Timestamps: written as Date or ISO string (or left to their default), read back as Date. */
export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** numeric columns come back from PostgreSQL as strings so no cent is lost. */
export type Numeric = ColumnType<string, string | number | undefined, string | number>;
type Json = ColumnType<unknown, string | undefined | null, string | null>;

export interface CustomersTable {
  id: Generated<number>;
  customer_number: Generated<string>;
  kind: Generated<'person' | 'company'>;
  display_name: string;
  first_name: string | null;
  last_name: string | null;
  company_name: string | null;
  roles: ColumnType<string[], string[] | undefined, string[]>;
  value_segment: Generated<string>;
  lifetime_value: Numeric;
  language: string | null;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  notes: string | null;
  customer_since: ColumnType<string | null, string | null | undefined, string | null>;
  last_contact_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  provisional: Generated<boolean>;
  merged_into_id: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface CustomerPhonesTable {
  id: Generated<number>;
  customer_id: number;
  label: Generated<string>;
  raw: string;
  e164: string | null;
  tail: string;
  extension: string | null;
  is_primary: Generated<boolean>;
  created_at: Timestamp;
}

export interface CustomerEmailsTable {
  id: Generated<number>;
  customer_id: number;
  label: Generated<string>;
  email: string;
  created_at: Timestamp;
}

export type RelationKind = 'household_member' | 'employee_of' | 'subsidiary_of' | 'partner_of';

export interface CustomerRelationsTable {
  id: Generated<number>;
  from_customer_id: number;
  to_customer_id: number;
  kind: RelationKind;
  created_at: Timestamp;
}

export type BusinessRecordKind = 'quote' | 'contract' | 'order' | 'payment';

export interface BusinessRecordsTable {
  id: Generated<number>;
  customer_id: number;
  kind: BusinessRecordKind;
  reference: string;
  title: string;
  amount: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  currency: Generated<string>;
  status: Generated<string>;
  occurred_at: Timestamp;
  created_at: Timestamp;
}

export interface HoldingsTable {
  id: Generated<number>;
  customer_id: number;
  product_code: string;
  product_name: string;
  status: Generated<string>;
  since: ColumnType<string, string | undefined, string>;
  created_at: Timestamp;
}

export type Role = 'admin' | 'supervisor' | 'agent' | 'integrator';

export interface ApiKeysTable {
  id: Generated<number>;
  name: string;
  role: Role;
  key_hash: string;
  key_prefix: string;
  created_by: string;
  created_at: Timestamp;
  revoked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  actor: string;
  actor_role: string;
  action: string;
  entity: string;
  entity_id: string | null;
  before: Json;
  after: Json;
}

/** Every table, as kysely sees it. Later features add theirs here. */
export interface DB {
  customers: CustomersTable;
  customer_phones: CustomerPhonesTable;
  customer_emails: CustomerEmailsTable;
  customer_relations: CustomerRelationsTable;
  business_records: BusinessRecordsTable;
  holdings: HoldingsTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
}
