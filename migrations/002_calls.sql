-- Queues, agents, the call log, write-back (tickets, follow-ups, cross-sell) and the webhook outbox.
-- Runs unchanged on PostgreSQL and on the embedded PGlite: plain SQL only.

CREATE TABLE queues (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
  name text NOT NULL,
  -- Dialled numbers (DNIS) that select this queue, as digits (and a leading + when E.164).
  dialled_numbers text[] NOT NULL DEFAULT '{}',
  -- Agents with this skill take the queue's calls.
  skill text NOT NULL,
  -- Calls whose dialled number matches no queue go to the default queue.
  is_default boolean NOT NULL DEFAULT false,
  sl_threshold_seconds integer NOT NULL DEFAULT 20 CHECK (sl_threshold_seconds BETWEEN 1 AND 3600),
  short_abandon_seconds integer NOT NULL DEFAULT 5 CHECK (short_abandon_seconds BETWEEN 0 AND 600),
  max_wait_seconds integer NOT NULL DEFAULT 300 CHECK (max_wait_seconds BETWEEN 1 AND 86400),
  ring_timeout_seconds integer NOT NULL DEFAULT 20 CHECK (ring_timeout_seconds BETWEEN 1 AND 600),
  -- 0 = wrap-up lasts until the agent finishes it.
  wrap_up_seconds integer NOT NULL DEFAULT 60 CHECK (wrap_up_seconds BETWEEN 0 AND 3600),
  -- Where a call goes when no agent takes it within max wait (a SIP URI or number); NULL = the call fails.
  overflow_target text,
  time_zone text NOT NULL DEFAULT 'UTC',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE UNIQUE INDEX queues_one_default_idx ON queues (is_default) WHERE is_default AND deleted_at IS NULL;
INSERT INTO queues (id, name, skill, is_default) VALUES ('general', 'General', 'general', true);

CREATE TABLE agents (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  -- Where the agent's phone rings (sip:ext@pbx); NULL for agents whose PBX rings them itself.
  sip_uri text,
  skills text[] NOT NULL DEFAULT '{}',
  team text,
  -- The agent's own API key: the desktop signs in with it.
  api_key_id bigint UNIQUE REFERENCES api_keys (id),
  locale text NOT NULL DEFAULT 'en',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);

-- One row per offered call, from offer to its end: the call log.
CREATE TABLE calls (
  id uuid PRIMARY KEY,
  -- 'sip' (through drachtio), 'api' (POST /v1/call-events), 'click-to-dial'.
  source text NOT NULL,
  -- The call's id where it came from (SIP Call-ID, the PBX's id); one call log row per (source, id).
  external_id text NOT NULL,
  direction text NOT NULL DEFAULT 'inbound' CHECK (direction IN ('inbound', 'outbound')),
  trunk text,
  from_raw text,
  from_e164 text,
  caller_name text,
  withheld boolean NOT NULL DEFAULT false,
  dialled_number text,
  redirecting_number text,
  queue_id text REFERENCES queues (id),
  priority integer NOT NULL DEFAULT 10,
  match_outcome text NOT NULL CHECK (match_outcome IN ('single', 'multiple', 'none', 'withheld', 'unavailable')),
  candidate_ids bigint[] NOT NULL DEFAULT '{}',
  customer_id bigint REFERENCES customers (id),
  agent_id bigint REFERENCES agents (id),
  -- offered → queued → ringing → answered → ended; or abandoned / overflowed / failed.
  status text NOT NULL CHECK (status IN ('offered', 'queued', 'ringing', 'answered', 'ended', 'abandoned', 'overflowed', 'failed')),
  -- Whether the call entered the queue ("offered" to it in the published figures).
  queued boolean NOT NULL DEFAULT false,
  hangup_by text CHECK (hangup_by IN ('caller', 'agent', 'system')),
  end_reason text,
  overflow_target text,
  ring_attempts integer NOT NULL DEFAULT 0,
  offered_at timestamptz NOT NULL,
  queued_at timestamptz,
  first_ring_at timestamptz,
  answered_at timestamptz,
  ended_at timestamptz,
  pop_acked_at timestamptz,
  wait_seconds numeric(10, 3),
  ring_seconds numeric(10, 3),
  talk_seconds numeric(10, 3),
  wrap_seconds numeric(10, 3),
  disposition text,
  notes text,
  wrapped_up_at timestamptz,
  wrapped_up_by text,
  -- The screenpop node that handles the call while it is live (closed by another if that node is lost).
  node_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source, external_id)
);
CREATE INDEX calls_customer_idx ON calls (customer_id, offered_at DESC);
CREATE INDEX calls_queue_day_idx ON calls (queue_id, offered_at);
CREATE INDEX calls_agent_day_idx ON calls (agent_id, offered_at);
CREATE INDEX calls_open_idx ON calls (node_id) WHERE ended_at IS NULL;

-- Each time an agent's phone rang for a call, and how that ended.
CREATE TABLE call_attempts (
  id bigserial PRIMARY KEY,
  call_id uuid NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  agent_id bigint NOT NULL REFERENCES agents (id),
  rang_at timestamptz NOT NULL,
  ended_at timestamptz,
  result text CHECK (result IN ('answered', 'missed', 'rejected', 'caller_gone', 'withdrawn'))
);
CREATE INDEX call_attempts_call_idx ON call_attempts (call_id);

CREATE TABLE tickets (
  id bigserial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  call_id uuid REFERENCES calls (id),
  subject text NOT NULL,
  description text,
  category text NOT NULL CHECK (category IN ('question', 'request', 'fault', 'billing', 'complaint', 'other')),
  priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'closed')),
  agent_id bigint REFERENCES agents (id),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz
);
CREATE INDEX tickets_customer_idx ON tickets (customer_id, created_at DESC);

CREATE TABLE follow_ups (
  id bigserial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  call_id uuid REFERENCES calls (id),
  assignee_agent_id bigint NOT NULL REFERENCES agents (id),
  due_date date NOT NULL,
  note text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'cancelled')),
  delegated_from_agent_id bigint REFERENCES agents (id),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  done_at timestamptz
);
CREATE INDEX follow_ups_assignee_idx ON follow_ups (assignee_agent_id, status, due_date);
CREATE INDEX follow_ups_customer_idx ON follow_ups (customer_id, status);

-- Conditions → an offer. A NULL condition does not apply.
CREATE TABLE cross_sell_rules (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  segments text[],
  holds_product text,
  not_holds_product text,
  min_lifetime_value numeric(14, 2),
  min_tenure_months integer,
  product_code text NOT NULL,
  product_name text NOT NULL,
  script text NOT NULL,
  priority integer NOT NULL DEFAULT 0,
  active boolean NOT NULL DEFAULT true,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A rule's offer as shown on one call's pop, and what the customer said.
CREATE TABLE cross_sell_prompts (
  id bigserial PRIMARY KEY,
  rule_id bigint NOT NULL REFERENCES cross_sell_rules (id),
  call_id uuid NOT NULL REFERENCES calls (id),
  customer_id bigint NOT NULL REFERENCES customers (id),
  agent_id bigint REFERENCES agents (id),
  shown_at timestamptz NOT NULL DEFAULT now(),
  outcome text CHECK (outcome IN ('accepted', 'declined', 'later')),
  outcome_at timestamptz,
  UNIQUE (call_id, rule_id)
);
CREATE INDEX cross_sell_prompts_rule_idx ON cross_sell_prompts (rule_id);

-- Webhook deliveries, written in the same transaction as the change they announce and retried
-- until the receiver takes them.
CREATE TABLE webhook_outbox (
  id bigserial PRIMARY KEY,
  event text NOT NULL,
  url text NOT NULL,
  payload jsonb NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  failed_at timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_outbox_due_idx ON webhook_outbox (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
-- The hourly prune of finished deliveries past WEBHOOK_KEEP_DAYS reads only the rows past that age.
CREATE INDEX webhook_outbox_created_idx ON webhook_outbox (created_at);
