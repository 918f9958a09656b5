// The part of drachtio-srf screenpop uses, typed as it behaves (its bundled typings are partial:
// requests are EventEmitters, cancel takes a callback, createUAC can return an un-ACKed offer).
import SrfModule from 'drachtio-srf';

export interface SipMessage {
  readonly method: string;
  readonly uri: string;
  readonly body: string;
  readonly status: number;
  readonly reason: string;
  readonly source_address: string;
  readonly source_port: number;
  readonly protocol: string;
  /** 'network' for what a peer sent, 'application' for what drachtio-server made itself (a BYE after no ACK). */
  readonly source?: string;
  get(name: string): string | undefined;
  has(name: string): boolean;
}

/** An incoming request, or one we sent (a UAC INVITE we may cancel). */
export interface SipRequest extends SipMessage {
  /** Per-request state of the INVITE pipeline (set by its first step). */
  locals?: unknown;
  /** The connection to drachtio-server the request came over (gone after drachtio-server restarts). */
  readonly socket?: { readonly destroyed?: boolean };
  on(event: 'cancel', fn: () => void): this;
  off(event: 'cancel', fn: () => void): this;
  listeners(event: 'cancel'): Array<() => void>;
  removeAllListeners(event: 'cancel'): this;
  cancel(callback: (err: Error | null) => void): void;
}

export interface SipResponse {
  readonly finalResponseSent: boolean;
  send(status: number, opts?: { headers?: Record<string, string>; body?: string }): void;
  send(status: number, reason: string, opts: { headers?: Record<string, string>; body?: string }, callback?: (err: Error | null) => void): void;
}

export interface Dialog {
  readonly sip: { readonly callId: string };
  readonly local: { readonly sdp: string };
  readonly remote: { readonly sdp: string };
  /** The other side ended the dialog; `reason` is drachtio-server's when it ended it (source 'application'). */
  on(event: 'destroy', fn: (msg?: SipMessage, reason?: string) => void): this;
  destroy(opts?: { headers?: Record<string, string> }): Promise<unknown>;
}

/** createUAC with noAck and no local SDP: the far end answered with an offer; ACK it with our answer. */
export interface UnackedOffer {
  readonly sdp: string;
  ack(sdp: string): Promise<Dialog>;
  destroy(): Promise<void>;
}

export interface B2buaOptions {
  headers?: Record<string, string>;
  passFailure?: boolean;
  passProvisionalResponses?: boolean;
  /** The SDP to answer the caller with, given the callee's: may wait (and throw to refuse the answer). */
  localSdpA?: (sdpB: string) => Promise<string> | string;
  proxyRequestHeaders?: string[];
}

export interface UacOptions {
  headers?: Record<string, string>;
  localSdp?: string;
  noAck?: boolean;
  proxy?: string;
}

export interface UacProgress {
  cbRequest?: (err: Error | null, req: SipRequest) => void;
  /** Each provisional response (180, 183 with SDP, ...). */
  cbProvisional?: (res: SipMessage) => void;
}

export interface SrfClient {
  connect(opts: { host: string; port: number; secret: string; reconnect?: { retryMaxDelay?: number } }): void;
  disconnect(): void;
  use(method: string, steps: Array<(req: SipRequest, res: SipResponse, next: (err?: unknown) => void) => void>): void;
  /** Steps for every method, after those registered for one. */
  use(steps: Array<(req: SipRequest, res: SipResponse, next: (err?: unknown) => void) => void>): void;
  on(event: 'connect', fn: (err: Error | null, hostport: string) => void): this;
  on(event: 'error' | 'close' | 'reconnecting', fn: (...args: unknown[]) => void): this;
  createB2BUA(
    req: SipRequest,
    res: SipResponse,
    uri: string,
    opts: B2buaOptions,
    progress?: { cbRequest?: (err: Error | null, uacReq: SipRequest) => void },
  ): Promise<{ uas: Dialog; uac: Dialog }>;
  createUAC(uri: string, opts: UacOptions & { noAck: true }, progress?: UacProgress): Promise<UnackedOffer>;
  createUAC(uri: string, opts: UacOptions, progress?: UacProgress): Promise<Dialog>;
}

/** The Call-ID of a message (drachtio-srf has no property for it). */
export function callIdOf(msg: SipMessage): string {
  return msg.get('Call-ID') ?? '';
}

/** A failed SIP transaction as drachtio-srf reports it (SipError has the status). */
export function sipStatusOf(err: unknown): number | null {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : null;
}

const SrfSipMessage = (SrfModule as unknown as { SipMessage: new (raw: string) => ParsedSipMessage }).SipMessage;

/** A SIP message as drachtio-srf's parser reads it. */
export interface ParsedSipMessage {
  readonly method?: string;
  get(name: string): string | undefined;
}

/** The message as drachtio-srf's own parser reads it, or null where it cannot (it drops such messages, unanswered). */
export function srfParse(raw: string): ParsedSipMessage | null {
  try {
    return new SrfSipMessage(raw);
  } catch {
    return null;
  }
}

export function createSrf(): SrfClient {
  return new SrfModule() as unknown as SrfClient;
}
