import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace, type ServerOptions, type Socket } from 'socket.io';
import type { Kysely } from 'kysely';
import type { DB, HangupBy } from '../db/schema.ts';
import type { ApiKeyService } from '../auth/api-key.service.ts';
import { AuthFailureLimit, tooManyFailures } from '../auth/auth-failure-limit.ts';
import type { CallNotifier, WithdrawReason } from '../calls/call.types.ts';
import type { CallService } from '../calls/call.service.ts';
import type { CallWritebackService } from '../calls/call-writeback.service.ts';
import type { FollowUpService } from '../follow-ups/follow-up.service.ts';
import type { TicketService } from '../tickets/ticket.service.ts';
import type { Pop, PopCustomer, PopPrompt } from '../pop/pop.types.ts';
import { popFromLog } from '../pop/pop-from-log.ts';
import type { AgentState } from '../routing/agent-state.ts';
import { SYSTEM_ACTORS, type AgentService } from '../routing/agent.service.ts';
import type { Bus } from '../routing/live/bus.ts';
import type { QueueService } from '../routing/queue.service.ts';
import type { WallboardService } from '../wallboard/wallboard.service.ts';
import { toClientError } from '../shared/error-mapping.ts';
import type { Logger } from '../shared/logger.ts';
import { checkInput } from '../shared/validate.ts';
import { FollowUpBody, LinkCustomerEvent, PromptOutcomeEvent, SetStateEvent, TicketBody, WrapUpEvent } from '../calls/writeback.schemas.ts';
import {
  agentRoom,
  supervisorRoom,
  type Ack,
  type AgentClientEvents,
  type AgentServerEvents,
  type AgentStateView,
  type SocketData,
  type SupervisorClientEvents,
  type SupervisorServerEvents,
} from './events.ts';

export interface RealtimeDeps {
  db: Kysely<DB>;
  apiKeys: ApiKeyService;
  agents: AgentService;
  queues: QueueService;
  calls: CallService;
  writeback: CallWritebackService;
  tickets: TicketService;
  followUps: FollowUpService;
  wallboard: WallboardService;
  bus: Bus;
  log: Logger;
  dispositions: readonly string[];
  /** An agent with no desktop connected for this long while ready goes not ready ("disconnected"). */
  disconnectGraceMs: number;
  /** socket.io adapter for several nodes (the Redis streams adapter); in-memory when absent. */
  adapter?: ServerOptions['adapter'];
}

/** How long a pop waits for a desktop's acknowledgement before it counts as not acknowledged. */
export const POP_ACK_TIMEOUT_MS = 5000;
const BOARD_INTERVAL_MS = 250;

type AgentSocket = Socket<AgentClientEvents, AgentServerEvents, Record<string, never>, SocketData>;
type AgentNamespace = Namespace<AgentClientEvents, AgentServerEvents, Record<string, never>, SocketData>;
type SupervisorNamespace = Namespace<SupervisorClientEvents, SupervisorServerEvents, Record<string, never>, SocketData>;

export function stateView(s: AgentState): AgentStateView {
  return {
    status: s.status,
    since: new Date(s.since).toISOString(),
    ...(s.status === 'not_ready' ? { reason: s.reason } : {}),
    ...('callId' in s ? { callId: s.callId } : {}),
    ...(s.status === 'wrap_up' && s.until !== undefined ? { until: new Date(s.until).toISOString() } : {}),
  };
}

function errorOf(err: unknown, log: Logger): Ack<never> {
  const known = toClientError(err);
  if (known) {
    if (known.code === 'UNAVAILABLE') log.warn({ err }, 'socket event failed: a store is unavailable');
    return { ok: false, error: { code: known.code, message: known.message, ...(known.details !== undefined ? { details: known.details } : {}) } };
  }
  log.error({ err }, 'socket event failed');
  return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on our side; it is logged' } };
}

/** Calls a throttled function at most every `ms`, always once more after the last ask. */
function throttle(fn: () => void, ms: number): () => void {
  let timer: NodeJS.Timeout | null = null;
  let asked = false;
  const fire = () => {
    if (!asked) {
      timer = null;
      return;
    }
    asked = false;
    fn();
    timer = setTimeout(fire, ms);
  };
  return () => {
    asked = true;
    if (!timer) fire();
  };
}

/**
 * socket.io for agent desktops (`/agent`) and supervisors (`/supervisor`). Authenticates the
 * handshake (`auth.token` = API key), and is how the call service reaches the desktops.
 */
export class Realtime implements CallNotifier {
  readonly io: Server;
  private readonly agentNsp: AgentNamespace;
  private readonly supervisorNsp: SupervisorNamespace;
  private readonly d: RealtimeDeps;
  private readonly announceBoard: () => void;
  private readonly sendBoard: () => void;
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  private authLimit: AuthFailureLimit;

  constructor(server: HttpServer, deps: RealtimeDeps) {
    this.d = deps;
    // Counts nothing until the app hands over the shared limit (limitAuthFailures).
    this.authLimit = new AuthFailureLimit({ takeToken: async () => 0 }, { log: deps.log });
    this.io = new Server(server, {
      serveClient: false,
      maxHttpBufferSize: 1e6,
      // A desktop that drops for a moment gets the events it missed (needs an adapter that keeps them).
      // Every event is kept this long for that, so it stays short: at 400 calls/s two minutes of
      // events held about 600 MB. A longer drop is covered anyway: the desktop is popped again.
      connectionStateRecovery: { maxDisconnectionDuration: 30_000, skipMiddlewares: false },
      ...(deps.adapter ? { adapter: deps.adapter } : {}),
    });
    this.agentNsp = this.io.of('/agent') as AgentNamespace;
    this.supervisorNsp = this.io.of('/supervisor') as SupervisorNamespace;
    this.agentNsp.use((socket, next) => void this.authenticate(socket, ['agent']).then(() => next(), next));
    this.supervisorNsp.use((socket, next) => void this.authenticate(socket, ['supervisor', 'admin']).then(() => next(), next));
    this.agentNsp.on('connection', (s) => void this.onAgent(s));
    this.supervisorNsp.on('connection', (s) => void this.onSupervisor(s));

    // Every node hears that the board changed; only nodes with supervisors connected build one.
    this.announceBoard = throttle(() => void deps.bus.broadcast({ type: 'board-changed' }), BOARD_INTERVAL_MS);
    this.sendBoard = throttle(() => void this.pushBoard(), BOARD_INTERVAL_MS);
    deps.bus.onMessage((msg) => {
      if (msg.type === 'board-changed') this.sendBoard();
    });
    deps.apiKeys.onRevoked((keyId) => {
      this.io.of('/agent').in(`key:${keyId}`).disconnectSockets(true);
      this.io.of('/supervisor').in(`key:${keyId}`).disconnectSockets(true);
    });
  }

  /**
   * Handshakes count against the same failed sign-ins budget per address as REST (the app hands
   * it over right after attaching; no handshake can arrive before the server listens).
   */
  limitAuthFailures(limit: AuthFailureLimit): void {
    this.authLimit = limit;
  }

  private async authenticate(socket: Socket, roles: string[]): Promise<void> {
    const raw = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const token = typeof raw === 'string' ? raw : null;
    const signIn = await this.authLimit.signIn(socket.handshake.address, token, (t) => this.d.apiKeys.authenticate(t), (t) => this.d.apiKeys.known(t));
    if (signIn.outcome === 'limited') {
      throw Object.assign(new Error(tooManyFailures(signIn.retryAfter)), { data: { code: 'RATE_LIMITED', retryAfter: signIn.retryAfter } });
    }
    if (signIn.outcome !== 'ok') throw Object.assign(new Error('Unknown or revoked API key'), { data: { code: 'UNAUTHENTICATED' } });
    const actor = signIn.actor;
    if (!roles.includes(actor.role)) throw Object.assign(new Error(`This namespace is for ${roles.join(' or ')} keys`), { data: { code: 'FORBIDDEN' } });
    const data: SocketData = { actor };
    if (roles.includes('agent')) {
      // An agent made on another node a moment ago may not be in this node's roster yet.
      const agent = this.d.agents.byApiKey(actor.keyId) ?? (await this.d.agents.reload().then(() => this.d.agents.byApiKey(actor.keyId)));
      if (!agent) throw Object.assign(new Error('This key belongs to no agent'), { data: { code: 'FORBIDDEN' } });
      data.agentId = agent.id;
    }
    socket.data = data;
  }

  // ── agents ─────────────────────────────────────────────────────────────────────────────

  private async onAgent(socket: AgentSocket): Promise<void> {
    const agentId = socket.data.agentId!;
    const actor = socket.data.actor;
    const log = this.d.log.child({ agentId });
    clearTimeout(this.graceTimers.get(agentId));
    socket.join([agentRoom(agentId), `key:${actor.keyId}`]);

    const on = <E extends keyof AgentClientEvents>(event: E, run: (input: unknown) => Promise<unknown>) => {
      socket.on(event, (async (input: unknown, ack: unknown) => {
        if (typeof ack !== 'function') return; // every event is acknowledged; one without an ack cannot hear the answer
        try {
          ack({ ok: true, data: await run(input) });
        } catch (err) {
          ack(errorOf(err, log));
        }
      }) as never);
    };
    on('agent:set-state', async (input) => stateView(await this.d.agents.setState(agentId, checkInput(SetStateEvent, input), actor)));
    on('call:link-customer', (input) => this.d.writeback.linkCustomer(actor, agentId, checkInput(LinkCustomerEvent, input)));
    on('call:wrap-up', (input) => this.d.writeback.wrapUp(actor, agentId, checkInput(WrapUpEvent, input)));
    on('prompt:outcome', (input) => this.d.writeback.promptOutcome(actor, agentId, checkInput(PromptOutcomeEvent, input)));
    on('ticket:create', (input) => this.d.tickets.create(actor, agentId, checkInput(TicketBody, input)).then((t) => ({ id: t.id })));
    on('follow-up:create', (input) => this.d.followUps.create(actor, agentId, checkInput(FollowUpBody, input)).then((f) => ({ id: f.id })));
    socket.on('disconnect', () => this.scheduleDisconnectCheck(agentId));

    try {
      const agent = this.d.agents.get(agentId)!;
      const { state } = await this.d.agents.state(agentId);
      socket.emit('agent:hello', {
        agent: { id: agent.id, name: agent.name, skills: agent.skills, team: agent.team, locale: agent.locale },
        state: stateView(state),
        queues: this.d.queues
          .all()
          .filter((q) => agent.skills.includes(q.skill))
          .map((q) => ({ id: q.id, name: q.name, wrapUpSeconds: q.wrapUpSeconds })),
        dispositions: this.d.dispositions,
        notReadyReasons: this.d.agents.notReadyReasons,
      });
      // A desktop opened (or reconnected) during a call shows that call again.
      if (!socket.recovered && 'callId' in state) await this.repop(socket, state.callId, state.status === 'wrap_up');
    } catch (err) {
      log.error({ err }, 'agent hello failed');
    }
  }

  private async repop(socket: AgentSocket, callId: string, ended: boolean) {
    const pop = (await this.d.calls.livePop(callId)) ?? (await popFromLog(this.d.db, this.d.queues, callId));
    if (!pop) return;
    socket.emit('call:offered', pop, () => {});
    if (ended) {
      const { state } = await this.d.agents.state(socket.data.agentId!);
      const until = state.status === 'wrap_up' && state.until !== undefined ? new Date(state.until).toISOString() : null;
      socket.emit('call:ended', { callId, at: new Date(state.since).toISOString(), hangupBy: 'caller', wrapUpUntil: until });
    }
  }

  /** A ready agent whose last desktop is gone for the grace time gets no more calls. */
  private scheduleDisconnectCheck(agentId: string) {
    clearTimeout(this.graceTimers.get(agentId));
    const timer = setTimeout(async () => {
      this.graceTimers.delete(agentId);
      try {
        if ((await this.agentNsp.in(agentRoom(agentId)).fetchSockets()).length > 0) return;
        const { state } = await this.d.agents.state(agentId);
        if (state.status === 'ready') await this.d.agents.apply(agentId, { type: 'not_ready', reason: 'disconnected' }, { systemReason: true, actor: SYSTEM_ACTORS.disconnect });
      } catch (err) {
        this.d.log.warn({ err, agentId }, 'disconnect check failed');
      }
    }, this.d.disconnectGraceMs);
    timer.unref();
    this.graceTimers.set(agentId, timer);
  }

  // ── supervisors ────────────────────────────────────────────────────────────────────────

  private async onSupervisor(socket: Socket<SupervisorClientEvents, SupervisorServerEvents, Record<string, never>, SocketData>) {
    const full = socket.data.actor.role === 'admin';
    socket.join([supervisorRoom(full), `key:${socket.data.actor.keyId}`]);
    try {
      socket.emit('wallboard', await this.d.wallboard.snapshot(full));
    } catch (err) {
      this.d.log.error({ err }, 'wallboard snapshot failed');
    }
  }

  /** Sends a fresh board to this node's supervisors (each node serves its own). */
  private async pushBoard() {
    const rooms = this.supervisorNsp.adapter.rooms;
    try {
      for (const full of [false, true]) {
        if (!rooms.get(supervisorRoom(full))?.size) continue;
        this.supervisorNsp.local.to(supervisorRoom(full)).emit('wallboard', await this.d.wallboard.snapshot(full));
      }
    } catch (err) {
      this.d.log.error({ err }, 'wallboard update failed');
    }
  }

  // ── CallNotifier ───────────────────────────────────────────────────────────────────────

  async pop(agentId: string, pop: Pop): Promise<boolean> {
    try {
      const responses = await this.agentNsp.to(agentRoom(agentId)).timeout(POP_ACK_TIMEOUT_MS).emitWithAck('call:offered', pop);
      return (responses ?? []).length > 0;
    } catch (err) {
      // A timeout still carries the acknowledgements that did arrive.
      const partial = (err as { responses?: unknown[] } | null)?.responses;
      return Array.isArray(partial) && partial.length > 0;
    }
  }

  withdraw(agentId: string, callId: string, reason: WithdrawReason): void {
    this.agentNsp.to(agentRoom(agentId)).emit('call:withdrawn', { callId, reason });
  }

  answered(agentId: string, callId: string, at: number): void {
    this.agentNsp.to(agentRoom(agentId)).emit('call:answered', { callId, at: new Date(at).toISOString() });
  }

  ended(agentId: string, callId: string, info: { at: number; hangupBy: HangupBy; wrapUpUntil: number | null }): void {
    this.agentNsp.to(agentRoom(agentId)).emit('call:ended', {
      callId,
      at: new Date(info.at).toISOString(),
      hangupBy: info.hangupBy,
      wrapUpUntil: info.wrapUpUntil === null ? null : new Date(info.wrapUpUntil).toISOString(),
    });
  }

  customerLinked(agentId: string, callId: string, customer: PopCustomer | null, prompts: readonly PopPrompt[]): void {
    this.agentNsp.to(agentRoom(agentId)).emit('call:customer', { callId, customer, prompts });
  }

  agentState(agentId: string, state: AgentState): void {
    this.agentNsp.to(agentRoom(agentId)).emit('agent:state', stateView(state));
    this.boardChanged();
  }

  boardChanged(): void {
    this.announceBoard();
  }

  async close(): Promise<void> {
    for (const t of this.graceTimers.values()) clearTimeout(t);
    // Not io.close(): that would also close the HTTP server, which fastify owns and closes itself.
    // Sockets close after what was sent to them (the calls' last events) has gone out; then the rest is cut.
    this.io.local.disconnectSockets(true);
    for (let waited = 0; this.io.engine.clientsCount > 0 && waited < 1000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    this.io.engine.close();
    for (const nsp of [this.agentNsp, this.supervisorNsp, this.io.of('/')]) await nsp.adapter.close();
  }
}
