-- SIP trunks: the PBXs and carriers allowed to send calls to screenpop through drachtio-server.
-- Runs unchanged on PostgreSQL and on the embedded PGlite: plain SQL only.

CREATE TABLE trunks (
  -- The trunk's name: written to the call log (calls.trunk) and used in the API path.
  name text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
  description text,
  -- Source addresses the trunk's requests come from, as CIDR blocks ("203.0.113.0/24", "2001:db8::/32").
  sources text[] NOT NULL,
  -- Digest authentication: the username and HA1 = MD5(username:realm:password); the password is never stored.
  auth_username text,
  auth_realm text,
  auth_ha1 text,
  -- Country used to read national caller numbers from this trunk.
  default_country text NOT NULL CHECK (default_country ~ '^[A-Z]{2}$'),
  -- Dialled number (DNIS) → queue id, e.g. {"8005550100": "support"}; unmapped numbers use the queues' own lists.
  dialled_queues jsonb NOT NULL DEFAULT '{}',
  -- INVITEs above this rate are turned away with 503 and Retry-After; NULL = no cap.
  max_calls_per_second integer CHECK (max_calls_per_second BETWEEN 1 AND 100000),
  -- Where click-to-dial calls to customers leave through this trunk (sip:host:port); NULL = not for outbound.
  outbound_uri text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((auth_username IS NULL) = (auth_ha1 IS NULL) AND (auth_username IS NULL) = (auth_realm IS NULL))
);
