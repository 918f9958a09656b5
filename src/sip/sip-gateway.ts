import type { CallService } from '../calls/call.service.ts';
import type { ReadinessCheck } from '../health/health.routes.ts';
import type { LiveState } from '../routing/live/live-state.ts';
import type { Logger } from '../shared/logger.ts';
import { invitePipeline } from './invite-pipeline.ts';
import { optionsHandler, OTHER_METHODS, otherRequestHandler } from './request-handlers.ts';
import type { SipCall } from './sip-call.ts';
import { createSrf, type SrfClient } from './srf.ts';
import type { TrunkService } from './trunk.service.ts';
import { installWireGuard } from './wire-guard.ts';

export interface SipGatewayOptions {
  host: string;
  port: number;
  secret: string;
  /** SIP_EARLY_MEDIA_URI: callers waiting hear this media server's early media. */
  earlyMediaUri?: string;
}

export interface SipGatewayDeps {
  calls: CallService;
  trunks: TrunkService;
  /** Where trunks' calls-per-second caps are counted (shared by all nodes with Redis). */
  live: LiveState;
  log: Logger;
  /** Tests may hand in their own drachtio-srf client. */
  srf?: SrfClient;
}

/** Reconnect attempts back off from 150 ms to at most this, so a restarted drachtio-server is found again quickly. */
const MAX_RECONNECT_DELAY_MS = 2000;
/** Digest nonces stay good this long. */
const NONCE_TTL_MS = 5 * 60_000;

/**
 * screenpop's SIP side: an inbound connection to drachtio-server (drachtio-srf), which reconnects
 * by itself after the server restarts; INVITEs go through the INVITE pipeline, OPTIONS are answered
 * for registered trunks.
 */
export class SipGateway {
  readonly srf: SrfClient;
  private readonly opts: SipGatewayOptions;
  private readonly log: Logger;
  private connected: string | null = null;
  private connects = 0;
  private lastError: string | null = null;
  private closing = false;
  private started = false;
  /** SIP calls in progress on this node. */
  private readonly calls = new Set<SipCall>();

  constructor(opts: SipGatewayOptions, deps: SipGatewayDeps) {
    this.opts = opts;
    this.log = deps.log;
    this.srf = deps.srf ?? createSrf();
    const steps = invitePipeline({
      srf: this.srf,
      calls: deps.calls,
      trunks: deps.trunks,
      takeCallSlot: (trunk, perSecond) => deps.live.takeCallSlot(trunk, perSecond),
      nonceTtlMs: NONCE_TTL_MS,
      log: deps.log,
      earlyMediaUri: opts.earlyMediaUri,
      isConnected: () => this.isConnected,
      onCall: (call) => this.calls.add(call),
      onFinished: (call) => this.calls.delete(call),
    });
    this.srf.use('invite', steps);
    this.srf.use('options', [optionsHandler(deps.trunks, deps.log)]);
    // Every request gets an answer: 405 for methods screenpop does not take (else drachtio-server
    // says 503 "No connected clients"), 481 for requests in dialogs it does not hold.
    const other = otherRequestHandler(deps.log);
    for (const method of OTHER_METHODS) this.srf.use(method, [other]);
    this.srf.use([other]);
  }

  /** SIP calls in progress on this node (from ringback to their end). */
  get callsInProgress(): number {
    return this.calls.size;
  }

  /** SIP dialogs drachtio-srf holds for this node (callers and phones bridged, click-to-dial legs). */
  get openDialogs(): number {
    return (this.srf as unknown as { _dialogs?: Map<string, unknown> })._dialogs?.size ?? 0;
  }

  get isConnected(): boolean {
    return this.connected !== null;
  }

  /** How many times the connection was made: 1, plus one per reconnect. */
  get connections(): number {
    return this.connects;
  }

  /** Connects in the background; /ready says whether the connection is up. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const where = `${this.opts.host}:${this.opts.port}`;
    this.srf.on('connect', (err, hostport) => {
      if (err) {
        if (err.message !== this.lastError) this.log.error({ drachtio: where }, `drachtio-server refused the connection: ${err.message} (check DRACHTIO_SECRET)`);
        this.lastError = err.message;
        return;
      }
      if (this.closing) return this.disconnect();
      this.connected = hostport;
      this.connects += 1;
      this.lastError = null;
      this.log.info({ drachtio: where, sip: hostport }, 'connected to drachtio-server');
    });
    this.srf.on('close', () => {
      if (this.connected !== null && !this.closing) this.log.warn({ drachtio: where, calls: this.calls.size }, 'lost drachtio-server; its calls are lost; reconnecting');
      this.connected = null;
      // Its transactions and dialogs went with it: end those calls now rather than at max wait or never.
      if (!this.closing) for (const call of [...this.calls]) call.connectionLost();
    });
    this.srf.on('error', (err) => {
      const message = (err as Error)?.message ?? String(err);
      // Refused reconnects repeat every couple of seconds while the server is down: log the first.
      if (message !== this.lastError) this.log.warn({ drachtio: where, err: message }, 'drachtio-server connection error');
      this.lastError = message;
    });
    this.srf.connect({ host: this.opts.host, port: this.opts.port, secret: this.opts.secret, reconnect: { retryMaxDelay: MAX_RECONNECT_DELAY_MS } });
    installWireGuard(this.srf, this.log);
  }

  readiness(): ReadinessCheck {
    return {
      name: 'sip',
      check: async () =>
        this.connected !== null
          ? { ok: true, detail: `drachtio-server ${this.opts.host}:${this.opts.port}, SIP ${this.connected}` }
          : { ok: false, detail: `not connected to drachtio-server ${this.opts.host}:${this.opts.port}${this.lastError ? ` (${this.lastError})` : ''}` },
    };
  }

  async close(): Promise<void> {
    this.closing = true;
    this.disconnect();
    // drachtio-srf may have a reconnect timer pending; it must not bring the connection back.
    const wp = (this.srf as unknown as { _app?: { client?: { wp?: { reconnectVars?: { retryTimer?: NodeJS.Timeout | null } } } } })._app?.client?.wp;
    if (wp?.reconnectVars?.retryTimer) clearTimeout(wp.reconnectVars.retryTimer);
    this.connected = null;
  }

  private disconnect() {
    try {
      this.srf.disconnect();
    } catch {
      // not connected: nothing to close
    }
  }
}
