-- Customer master data, API keys and the audit trail.
-- Runs unchanged on PostgreSQL and on the embedded PGlite: plain SQL only.

CREATE SEQUENCE customer_number_seq START 100001;

CREATE TABLE customers (
  id bigserial PRIMARY KEY,
  customer_number text NOT NULL UNIQUE DEFAULT ('C' || nextval('customer_number_seq')::text),
  kind text NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'company')),
  display_name text NOT NULL,
  first_name text,
  last_name text,
  company_name text,
  roles text[] NOT NULL DEFAULT '{customer}',
  value_segment text NOT NULL DEFAULT 'standard',
  lifetime_value numeric(14, 2) NOT NULL DEFAULT 0,
  language text,
  tags text[] NOT NULL DEFAULT '{}',
  notes text,
  customer_since date,
  last_contact_at timestamptz,
  -- A contact created from an unmatched call that an agent has not completed yet.
  provisional boolean NOT NULL DEFAULT false,
  merged_into_id bigint REFERENCES customers (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE INDEX customers_name_idx ON customers (lower(display_name) text_pattern_ops);
CREATE INDEX customers_company_idx ON customers (lower(company_name));

CREATE TABLE customer_phones (
  id bigserial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  label text NOT NULL DEFAULT 'main',
  -- The number exactly as it was entered, shown back to people.
  raw text NOT NULL,
  -- E.164 when the number is valid; the lookup index.
  e164 text,
  -- Last significant digits: the fallback key when a number is not valid E.164 on one side.
  tail text NOT NULL,
  extension text,
  is_primary boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_phones_e164_idx ON customer_phones (e164);
CREATE INDEX customer_phones_tail_idx ON customer_phones (tail);
-- A caller's valid number also matches stored numbers that never became valid E.164, by tail:
-- this partial index keeps that branch of the lookup from visiting every unnormalised phone.
CREATE INDEX customer_phones_tail_unnormalised_idx ON customer_phones (tail) WHERE e164 IS NULL;
CREATE INDEX customer_phones_customer_idx ON customer_phones (customer_id);

CREATE TABLE customer_emails (
  id bigserial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  label text NOT NULL DEFAULT 'main',
  email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_emails_email_idx ON customer_emails (lower(email));
CREATE INDEX customer_emails_customer_idx ON customer_emails (customer_id);

-- Stored once, in one direction; the API shows the inverse on the other side
-- (employee_of ↔ employer_of, subsidiary_of ↔ parent_of, household_member ↔ household_member).
CREATE TABLE customer_relations (
  id bigserial PRIMARY KEY,
  from_customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  to_customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('household_member', 'employee_of', 'subsidiary_of', 'partner_of')),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (from_customer_id <> to_customer_id),
  UNIQUE (from_customer_id, to_customer_id, kind)
);
CREATE INDEX customer_relations_to_idx ON customer_relations (to_customer_id);

-- Quotes, contracts, orders and payments: one table with a kind.
CREATE TABLE business_records (
  id bigserial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('quote', 'contract', 'order', 'payment')),
  reference text NOT NULL,
  title text NOT NULL,
  amount numeric(14, 2),
  currency text NOT NULL DEFAULT 'USD',
  status text NOT NULL DEFAULT 'open',
  occurred_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX business_records_customer_idx ON business_records (customer_id, occurred_at DESC);

-- Products a customer holds (cross-sell rules test "holds X / does not hold Y").
CREATE TABLE holdings (
  id bigserial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  product_code text NOT NULL,
  product_name text NOT NULL,
  status text NOT NULL DEFAULT 'active',
  since date NOT NULL DEFAULT CURRENT_DATE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX holdings_customer_idx ON holdings (customer_id);

CREATE TABLE api_keys (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent', 'integrator')),
  -- sha256 of the key; the key itself is shown once at creation and never stored.
  key_hash text NOT NULL UNIQUE,
  key_prefix text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

-- Who changed what, when, with before/after; written in the same transaction as the change.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  actor_role text NOT NULL,
  action text NOT NULL,
  entity text NOT NULL,
  entity_id text,
  before jsonb,
  after jsonb
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id);
