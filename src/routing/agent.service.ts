import type { Kysely, Selectable } from 'kysely';
import type { AgentsTable, DB } from '../db/schema.ts';
import { systemActor, type Actor } from '../auth/actor.ts';
import type { ApiKeyService } from '../auth/api-key.service.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { AppError } from '../shared/errors.ts';
import { latestLoadWins } from '../shared/latest-load.ts';
import { MISSED_REASON, settle, transition, type AgentEvent, type AgentState } from './agent-state.ts';
import type { LiveState, VersionedAgentState } from './live/live-state.ts';
import { findAgentRow, insertAgent, listAgents, updateAgent } from './agent.repository.ts';

export interface AgentRecord {
  /** Agent ids are strings in live state and on the wire; numbers in the store. */
  readonly id: string;
  readonly name: string;
  readonly sipUri: string | null;
  readonly skills: string[];
  readonly team: string | null;
  readonly apiKeyId: number | null;
  readonly locale: string;
}

export interface AgentInput {
  name: string;
  sipUri?: string | null;
  skills?: string[];
  team?: string | null;
  locale?: string;
}

/** Reasons the system sets by itself; agents cannot choose them but they are valid states. */
export const SYSTEM_REASONS = [MISSED_REASON, 'disconnected'] as const;

const toRecord = (r: Selectable<AgentsTable>): AgentRecord =>
  Object.freeze({
    id: String(r.id),
    name: r.name,
    sipUri: r.sip_uri,
    skills: [...r.skills],
    team: r.team,
    apiKeyId: r.api_key_id,
    locale: r.locale,
  });

/** `actor` made the change: the agent, a supervisor, an integrator's call event, or `system:<part>`. */
export type AgentStateListener = (agentId: string, state: AgentState, previous: AgentState, actor: Actor) => void;

/** Who changes an agent's state when nobody asked: the part of the system that did it. */
export const SYSTEM_ACTORS = {
  call: systemActor('call'),
  routing: systemActor('routing'),
  ringTimeout: systemActor('ring-timeout'),
  wrapUp: systemActor('wrap-up'),
  disconnect: systemActor('disconnect'),
  lostNode: systemActor('lost-node'),
} as const;

function systemActorFor(event: AgentEvent): Actor {
  if (event.type === 'ring_timeout') return SYSTEM_ACTORS.ringTimeout;
  if (event.type === 'wrap_up_done' || event.type === 'tick') return SYSTEM_ACTORS.wrapUp;
  return SYSTEM_ACTORS.call;
}

export interface ApplyOptions {
  wrapUpSeconds?: number;
  systemReason?: boolean;
  /** Who makes the change (recorded in the state history); the system part the event belongs to when absent. */
  actor?: Actor;
}

/**
 * The agent roster (cached on every node, reloaded on change) and agent state changes, which go
 * through the pure state machine and a compare-and-set on the shared live state.
 */
export class AgentService {
  private readonly db: Kysely<DB>;
  private readonly live: LiveState;
  private readonly apiKeys: ApiKeyService;
  readonly notReadyReasons: readonly string[];
  private byId = new Map<string, AgentRecord>();
  private byKey = new Map<number, AgentRecord>();
  private readonly listeners: AgentStateListener[] = [];
  /** Called after a roster change here, so other nodes reload (set by the container). */
  onChange: () => void = () => {};
  private readonly now: () => number;

  constructor(db: Kysely<DB>, live: LiveState, apiKeys: ApiKeyService, opts: { notReadyReasons: readonly string[]; now?: () => number }) {
    this.db = db;
    this.live = live;
    this.apiKeys = apiKeys;
    this.notReadyReasons = opts.notReadyReasons;
    this.now = opts.now ?? Date.now;
  }

  readonly reload = latestLoadWins(
    () => listAgents(this.db),
    (rows) => {
      const agents = rows.map(toRecord);
      this.byId = new Map(agents.map((a) => [a.id, a]));
      this.byKey = new Map(agents.filter((a) => a.apiKeyId !== null).map((a) => [a.apiKeyId as number, a]));
    },
  );

  onStateChange(listener: AgentStateListener): void {
    this.listeners.push(listener);
  }

  all(): AgentRecord[] {
    return [...this.byId.values()];
  }

  get(id: string): AgentRecord | undefined {
    return this.byId.get(id);
  }

  byApiKey(keyId: number | null): AgentRecord | undefined {
    return keyId === null ? undefined : this.byKey.get(keyId);
  }

  withSkill(skill: string): AgentRecord[] {
    return this.all().filter((a) => a.skills.includes(skill));
  }

  /** The agent a request acts as: its own agent record for an agent key. */
  requireSelf(actor: Actor): AgentRecord {
    const agent = this.byApiKey(actor.keyId);
    if (!agent) throw new AppError('FORBIDDEN', 'This key belongs to no agent; create the agent with POST /v1/agents');
    return agent;
  }

  /** The agent a write acts for: the key's own agent for agent keys; null for supervisors, admins, integrators. */
  actingAgent(actor: Actor): string | null {
    return actor.role === 'agent' ? this.requireSelf(actor).id : null;
  }

  /** Current states, with expired wrap-ups settled to ready. */
  async states(ids: readonly string[]): Promise<Map<string, VersionedAgentState>> {
    const now = this.now();
    const raw = await this.live.agentStates(ids);
    for (const [id, v] of raw) raw.set(id, { state: settle(v.state, now), version: v.version });
    return raw;
  }

  async state(id: string): Promise<VersionedAgentState> {
    return (await this.states([id])).get(id) as VersionedAgentState;
  }

  /**
   * Applies one event to an agent's shared state (retrying when another node changed it meanwhile).
   * Throws INVALID_STATE (e.g. "ready" while on a call) or VALIDATION_FAILED (unknown reason).
   */
  async apply(agentId: string, event: AgentEvent, opts: ApplyOptions = {}): Promise<AgentState> {
    if (!this.byId.has(agentId)) throw new AppError('AGENT_NOT_FOUND', `No agent ${agentId}`);
    const reasons = opts.systemReason ? [...this.notReadyReasons, ...SYSTEM_REASONS] : this.notReadyReasons;
    for (let attempt = 0; attempt < 20; attempt++) {
      const now = this.now();
      const current = await this.state(agentId);
      const result = transition(current.state, event, now, { wrapUpSeconds: opts.wrapUpSeconds ?? 0, notReadyReasons: reasons });
      if (!result.ok) {
        throw result.code === 'UNKNOWN_REASON'
          ? new AppError('VALIDATION_FAILED', `${result.message}; choose one of: ${this.notReadyReasons.join(', ')}`, { reasons: this.notReadyReasons })
          : new AppError('INVALID_STATE', result.message, { status: current.state.status });
      }
      if (result.state === current.state) return current.state; // a tick with nothing to do
      const version = await this.live.setAgentState(agentId, current.version, result.state);
      if (version !== null) {
        this.changed(agentId, result.state, current.state, opts.actor ?? systemActorFor(event));
        return result.state;
      }
    }
    throw new AppError('CONFLICT', `Agent ${agentId} state kept changing; try again`);
  }

  /** What an agent asks for from the desktop or REST: ready (logging in if needed), not ready with a reason, logged out. */
  async setState(agentId: string, input: { status: 'ready' | 'not_ready' | 'logged_out'; reason?: string }, actor: Actor): Promise<AgentState> {
    const { state } = await this.state(agentId);
    // Asking for the state one is in (a second click, a second tab) is not an error.
    if ((input.status === 'ready' || input.status === 'logged_out') && state.status === input.status) return state;
    const by = { actor };
    if (input.status === 'logged_out') return this.apply(agentId, { type: 'logout' }, by);
    if (input.status === 'not_ready' && !input.reason) {
      throw new AppError('VALIDATION_FAILED', `Give a reason: ${this.notReadyReasons.join(', ')}`, { field: 'reason', reasons: this.notReadyReasons });
    }
    // Logging in makes an agent ready; asking for not ready at login is login then not ready.
    const loggedIn = state.status === 'logged_out' ? await this.apply(agentId, { type: 'login' }, by) : null;
    if (input.status === 'ready') return loggedIn ?? this.apply(agentId, { type: 'ready' }, by);
    return this.apply(agentId, { type: 'not_ready', reason: input.reason! }, by);
  }

  /** Makes an agent ready whose wrap-up of `callId` has run out; false when there was nothing to do. */
  async settleExpired(agentId: string, callId: string): Promise<boolean> {
    const current = (await this.live.agentStates([agentId])).get(agentId)!;
    const s = current.state;
    if (s.status !== 'wrap_up' || s.callId !== callId || s.until === undefined || s.until > this.now()) return false;
    const next: AgentState = { status: 'ready', since: s.until };
    if ((await this.live.setAgentState(agentId, current.version, next)) === null) return false;
    this.changed(agentId, next, s, SYSTEM_ACTORS.wrapUp);
    return true;
  }

  /** Tells listeners about a change (made here, or elsewhere: a claim by the dispatcher). */
  changed(agentId: string, state: AgentState, previous: AgentState, actor: Actor): void {
    for (const l of this.listeners) l(agentId, state, previous, actor);
  }

  async create(actor: Actor, input: AgentInput): Promise<{ agent: AgentRecord; key: string }> {
    // The key and the agent land together: a key row whose agent insert failed would be an orphan.
    const { agent, key } = await this.db.transaction().execute(async (trx) => {
      const created = await this.apiKeys.createIn(trx, actor, { name: `agent: ${input.name}`.slice(0, 120), role: 'agent' });
      const row = await insertAgent(trx, {
        name: input.name.trim(),
        sip_uri: input.sipUri ?? null,
        skills: [...new Set(input.skills ?? [])],
        team: input.team ?? null,
        api_key_id: created.id,
        ...(input.locale ? { locale: input.locale } : {}),
      });
      await recordAudit(trx, actor, { action: 'agent.create', entity: 'agent', entityId: row.id, after: row });
      return { agent: toRecord(row), key: created.key };
    });
    await this.changedRoster();
    return { agent, key };
  }

  async update(actor: Actor, id: string, input: Partial<AgentInput>): Promise<AgentRecord> {
    const row = await this.db.transaction().execute(async (trx) => {
      const before = await findAgentRow(trx, Number(id));
      if (!before) throw new AppError('AGENT_NOT_FOUND', `No agent ${id}`);
      const values: Record<string, unknown> = {};
      if (input.name !== undefined) values.name = input.name.trim();
      if (input.sipUri !== undefined) values.sip_uri = input.sipUri;
      if (input.skills !== undefined) values.skills = [...new Set(input.skills)];
      if (input.team !== undefined) values.team = input.team;
      if (input.locale !== undefined) values.locale = input.locale;
      const after = await updateAgent(trx, Number(id), values);
      await recordAudit(trx, actor, { action: 'agent.update', entity: 'agent', entityId: id, before, after });
      return after;
    });
    await this.changedRoster();
    return toRecord(row);
  }

  /** Removes an agent who is not on a call; their key is revoked with them. */
  async remove(actor: Actor, id: string): Promise<void> {
    const agent = this.byId.get(id);
    if (!agent) throw new AppError('AGENT_NOT_FOUND', `No agent ${id}`);
    const { state } = await this.state(id);
    if (state.status !== 'logged_out') await this.apply(id, { type: 'logout' }, { actor });
    await this.db.transaction().execute(async (trx) => {
      const after = await updateAgent(trx, Number(id), { deleted_at: new Date() });
      if (agent.apiKeyId !== null) await this.apiKeys.revokeIn(trx, actor, agent.apiKeyId);
      await recordAudit(trx, actor, { action: 'agent.delete', entity: 'agent', entityId: id, after: { deleted_at: after.deleted_at } });
    });
    if (agent.apiKeyId !== null) this.apiKeys.revoked(agent.apiKeyId);
    await this.changedRoster();
  }

  private async changedRoster() {
    await this.reload();
    this.onChange();
  }
}
