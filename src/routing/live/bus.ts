import { AppError, type ErrorCode } from '../../shared/errors.ts';

/** Messages between screenpop nodes (one node: delivered in-process). */
export type BusMessage =
  /** A dispatcher on some node gave the owner's call to an agent; the owner rings the agent and pops. */
  | { readonly type: 'assigned'; readonly callId: string; readonly agentId: string; readonly agentVersion: number }
  /** Agents, queues, cross-sell rules or SIP trunks changed in the store: reload the cached copy. */
  | { readonly type: 'directory-changed'; readonly what: 'agents' | 'queues' | 'cross-sell' | 'trunks' }
  /** An API key was revoked: every node stops accepting it now (they cache keys for a while). */
  | { readonly type: 'key-revoked'; readonly keyId: number }
  /** Something on the wallboard changed: nodes with supervisors connected send them a new board. */
  | { readonly type: 'board-changed' };

/** A request to the node that owns a call (answered by that node's handler). */
export interface BusRequest {
  readonly type: string;
  readonly [key: string]: unknown;
}

export interface Bus {
  readonly nodeId: string;
  /** To every node, this one included. */
  broadcast(msg: BusMessage): Promise<void>;
  /** To one node; to this one it is delivered directly. */
  send(nodeId: string, msg: BusMessage): Promise<void>;
  /** Asks one node and waits for its answer; an AppError thrown there is thrown here. */
  request<T>(nodeId: string, req: BusRequest, timeoutMs?: number): Promise<T>;
  onMessage(handler: (msg: BusMessage) => void): void;
  onRequest(handler: (req: BusRequest) => Promise<unknown>): void;
  close(): Promise<void>;
}

/** What travels back for a request: a value, or an error with its catalogue code. */
export type BusReply = { ok: true; value: unknown } | { ok: false; code: ErrorCode; message: string; details?: unknown };

export async function answerRequest(handler: ((req: BusRequest) => Promise<unknown>) | undefined, req: BusRequest): Promise<BusReply> {
  if (!handler) return { ok: false, code: 'UNAVAILABLE', message: 'node takes no requests' };
  try {
    return { ok: true, value: await handler(req) };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, code: err.code, message: err.message, details: err.details };
    return { ok: false, code: 'INTERNAL', message: 'request failed on the owning node' };
  }
}

export function unwrapReply<T>(reply: BusReply): T {
  if (reply.ok) return reply.value as T;
  throw new AppError(reply.code, reply.message, reply.details);
}

/** One node: messages go straight to the handlers, on a later tick like a network would. */
export class MemoryBus implements Bus {
  readonly nodeId: string;
  private readonly handlers: Array<(msg: BusMessage) => void> = [];
  private requestHandler?: (req: BusRequest) => Promise<unknown>;

  constructor(nodeId: string) {
    this.nodeId = nodeId;
  }

  async broadcast(msg: BusMessage) {
    setImmediate(() => this.handlers.forEach((h) => h(msg)));
  }

  async send(nodeId: string, msg: BusMessage) {
    if (nodeId === this.nodeId) await this.broadcast(msg);
    // A node that is not this one does not exist in a single-node setup: nothing to deliver to.
  }

  async request<T>(nodeId: string, req: BusRequest): Promise<T> {
    // In a single-node setup another node id is an earlier run of this node: gone.
    if (nodeId !== this.nodeId) throw new NodeGoneError(nodeId);
    return unwrapReply<T>(await answerRequest(this.requestHandler, req));
  }

  onMessage(handler: (msg: BusMessage) => void) {
    this.handlers.push(handler);
  }

  onRequest(handler: (req: BusRequest) => Promise<unknown>) {
    this.requestHandler = handler;
  }

  async close() {}
}

/** Nobody listens on the node's channel: it stopped or was killed (its calls can be closed by anyone). */
export class NodeGoneError extends AppError {
  readonly nodeId: string;
  constructor(nodeId: string) {
    super('UNAVAILABLE', `Node ${nodeId} is not reachable (it may have stopped); try again`);
    this.nodeId = nodeId;
  }
}
