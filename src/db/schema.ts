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

type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;

export interface AgentStateHistoryTable {
  id: Generated<number>;
  agent_id: number;
  at: ColumnType<Date, Date | string, Date | string>;
  from_status: string;
  to_status: string;
  reason: Nullable<string>;
  call_id: Nullable<string>;
  actor: string;
  actor_role: string;
}

type NullableTime = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Seconds = ColumnType<string | null, number | string | null | undefined, number | string | null>;

export interface QueuesTable {
  id: string;
  name: string;
  dialled_numbers: ColumnType<string[], string[] | undefined, string[]>;
  skill: string;
  is_default: Generated<boolean>;
  sl_threshold_seconds: Generated<number>;
  short_abandon_seconds: Generated<number>;
  max_wait_seconds: Generated<number>;
  ring_timeout_seconds: Generated<number>;
  wrap_up_seconds: Generated<number>;
  overflow_target: Nullable<string>;
  time_zone: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: NullableTime;
}

export interface AgentsTable {
  id: Generated<number>;
  name: string;
  sip_uri: Nullable<string>;
  skills: ColumnType<string[], string[] | undefined, string[]>;
  team: Nullable<string>;
  api_key_id: Nullable<number>;
  locale: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: NullableTime;
}

export type CallStatus = 'offered' | 'queued' | 'ringing' | 'answered' | 'ended' | 'abandoned' | 'overflowed' | 'failed';
export type MatchOutcome = 'single' | 'multiple' | 'none' | 'withheld' | 'unavailable';
export type CallSource = 'sip' | 'api' | 'click-to-dial';
export type HangupBy = 'caller' | 'agent' | 'system';

export interface CallsTable {
  id: string;
  source: CallSource;
  external_id: string;
  direction: Generated<'inbound' | 'outbound'>;
  trunk: Nullable<string>;
  from_raw: Nullable<string>;
  from_e164: Nullable<string>;
  caller_name: Nullable<string>;
  withheld: Generated<boolean>;
  dialled_number: Nullable<string>;
  redirecting_number: Nullable<string>;
  queue_id: Nullable<string>;
  priority: Generated<number>;
  match_outcome: MatchOutcome;
  candidate_ids: ColumnType<number[], number[] | undefined, number[]>;
  customer_id: Nullable<number>;
  agent_id: Nullable<number>;
  status: CallStatus;
  queued: Generated<boolean>;
  hangup_by: Nullable<HangupBy>;
  end_reason: Nullable<string>;
  overflow_target: Nullable<string>;
  ring_attempts: Generated<number>;
  offered_at: ColumnType<Date, Date | string, Date | string>;
  queued_at: NullableTime;
  first_ring_at: NullableTime;
  answered_at: NullableTime;
  ended_at: NullableTime;
  pop_acked_at: NullableTime;
  wait_seconds: Seconds;
  ring_seconds: Seconds;
  talk_seconds: Seconds;
  wrap_seconds: Seconds;
  disposition: Nullable<string>;
  notes: Nullable<string>;
  wrapped_up_at: NullableTime;
  wrapped_up_by: Nullable<string>;
  node_id: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type AttemptResult = 'answered' | 'missed' | 'rejected' | 'caller_gone' | 'withdrawn';

export interface CallAttemptsTable {
  id: Generated<number>;
  call_id: string;
  agent_id: number;
  rang_at: ColumnType<Date, Date | string, Date | string>;
  ended_at: NullableTime;
  result: Nullable<AttemptResult>;
}

export type TicketCategory = 'question' | 'request' | 'fault' | 'billing' | 'complaint' | 'other';
export type TicketPriority = 'low' | 'normal' | 'high' | 'urgent';

export interface TicketsTable {
  id: Generated<number>;
  customer_id: number;
  call_id: Nullable<string>;
  subject: string;
  description: Nullable<string>;
  category: TicketCategory;
  priority: Generated<TicketPriority>;
  status: Generated<'open' | 'pending' | 'closed'>;
  agent_id: Nullable<number>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  closed_at: NullableTime;
}

export interface FollowUpsTable {
  id: Generated<number>;
  customer_id: number;
  call_id: Nullable<string>;
  assignee_agent_id: number;
  due_date: ColumnType<string, string, string>;
  note: string;
  status: Generated<'pending' | 'done' | 'cancelled'>;
  delegated_from_agent_id: Nullable<number>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  done_at: NullableTime;
}

export interface CrossSellRulesTable {
  id: Generated<number>;
  name: string;
  segments: Nullable<string[]>;
  holds_product: Nullable<string>;
  not_holds_product: Nullable<string>;
  min_lifetime_value: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  min_tenure_months: Nullable<number>;
  product_code: string;
  product_name: string;
  script: string;
  priority: Generated<number>;
  active: Generated<boolean>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type PromptOutcome = 'accepted' | 'declined' | 'later';

export interface CrossSellPromptsTable {
  id: Generated<number>;
  rule_id: number;
  call_id: string;
  customer_id: number;
  agent_id: Nullable<number>;
  shown_at: Timestamp;
  outcome: Nullable<PromptOutcome>;
  outcome_at: NullableTime;
}

export interface WebhookOutboxTable {
  id: Generated<number>;
  event: string;
  url: string;
  payload: ColumnType<unknown, string, string>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  delivered_at: NullableTime;
  failed_at: NullableTime;
  last_error: Nullable<string>;
  created_at: Timestamp;
}

export interface TrunksTable {
  name: string;
  description: Nullable<string>;
  sources: ColumnType<string[], string[], string[]>;
  auth_username: Nullable<string>;
  auth_realm: Nullable<string>;
  auth_ha1: Nullable<string>;
  default_country: string;
  /** Dialled number → queue id; written as a JSON string. */
  dialled_queues: ColumnType<Record<string, string>, string | undefined, string>;
  max_calls_per_second: Nullable<number>;
  outbound_uri: Nullable<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
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
  agent_state_history: AgentStateHistoryTable;
  queues: QueuesTable;
  agents: AgentsTable;
  calls: CallsTable;
  call_attempts: CallAttemptsTable;
  tickets: TicketsTable;
  follow_ups: FollowUpsTable;
  cross_sell_rules: CrossSellRulesTable;
  cross_sell_prompts: CrossSellPromptsTable;
  webhook_outbox: WebhookOutboxTable;
  trunks: TrunksTable;
}
