-- The audit trail made readable (GET /v1/audit) and agent state changes recorded.
-- Runs unchanged on PostgreSQL and on the embedded PGlite: plain SQL only.

-- Every change of an agent's state: from what to what, why, for which call, and who made it (the
-- agent, a supervisor, or `system:<part>` — ring timeout, disconnect, wrap-up end, lost node).
-- Narrow typed rows rather than audit_log JSON: several per call, and read by reports (time in state).
-- No foreign keys: rows are written in batches off the call path, and one row must never fail a batch.
-- Ids come from audit_log's sequence, so the two tables read back as one trail in the order recorded.
CREATE TABLE agent_state_history (
  id bigint PRIMARY KEY DEFAULT nextval('audit_log_id_seq'),
  agent_id bigint NOT NULL,
  -- When the state changed (not when the row was written).
  at timestamptz NOT NULL,
  from_status text NOT NULL,
  to_status text NOT NULL,
  -- The not-ready reason ('missed', 'disconnected', or one the agent chose).
  reason text,
  call_id text,
  actor text NOT NULL,
  actor_role text NOT NULL
);
CREATE INDEX agent_state_history_agent_idx ON agent_state_history (agent_id, id);
CREATE INDEX agent_state_history_actor_idx ON agent_state_history (actor, id);
CREATE INDEX agent_state_history_at_idx ON agent_state_history (at);

-- The filters of GET /v1/audit (entity and entity id use audit_log_entity_idx).
CREATE INDEX audit_log_actor_idx ON audit_log (actor, id);
CREATE INDEX audit_log_at_idx ON audit_log (at);
