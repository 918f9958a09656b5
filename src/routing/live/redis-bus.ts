import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/logger.ts';
import { answerRequest, NodeGoneError, unwrapReply, type Bus, type BusMessage, type BusReply, type BusRequest } from './bus.ts';

export interface RedisBusOptions {
  nodeId: string;
  /** Publishes (a normal command connection; it may be shared). */
  publisher: Redis;
  /** A connection of its own: once it subscribes it can run no other command. */
  subscriber: Redis;
  /** Channel names start with it, like the live state's keys. */
  prefix: string;
  log: Logger;
  /** How long `request` waits for the owner node by default. */
  requestTimeoutMs?: number;
  /** Called with every failed Redis operation (the container counts them in /metrics). */
  onError?: (err: unknown) => void;
}

/** What travels on the channels. `from` tells an instance its own broadcasts (delivered to it directly). */
type Envelope =
  | { readonly k: 'msg'; readonly from: string; readonly msg: BusMessage }
  | { readonly k: 'req'; readonly id: string; readonly replyTo: string; readonly req: BusRequest }
  | { readonly k: 'rep'; readonly id: string; readonly reply: BusReply };

/**
 * The bus between nodes over Redis pub/sub: one channel every node hears, one per node for
 * messages, requests and replies (matched by correlation id). Pub/sub delivers only to nodes
 * listening now, which is what these messages need: a node that starts later reads the state itself.
 */
export class RedisBus implements Bus {
  readonly nodeId: string;
  private readonly o: Required<Omit<RedisBusOptions, 'nodeId'>>;
  private readonly instance = randomUUID();
  private readonly allChannel: string;
  private readonly ownChannel: string;
  private readonly handlers: Array<(msg: BusMessage) => void> = [];
  private requestHandler?: (req: BusRequest) => Promise<unknown>;
  private readonly pending = new Map<string, { resolve: (r: BusReply) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
  private readonly onRaw = (channel: string, raw: string) => {
    if (channel === this.allChannel || channel === this.ownChannel) this.receive(raw);
  };
  private closed = false;

  private constructor(opts: RedisBusOptions) {
    this.nodeId = opts.nodeId;
    this.o = { ...opts, requestTimeoutMs: opts.requestTimeoutMs ?? 5000, onError: opts.onError ?? (() => {}) };
    this.allChannel = `${opts.prefix}bus:all`;
    this.ownChannel = this.nodeChannel(opts.nodeId);
  }

  /** A bus that already listens on its channels (messages sent after this resolves reach it). */
  static async connect(opts: RedisBusOptions): Promise<RedisBus> {
    const bus = new RedisBus(opts);
    opts.subscriber.on('message', bus.onRaw);
    await opts.subscriber.subscribe(bus.allChannel, bus.ownChannel);
    return bus;
  }

  private nodeChannel(nodeId: string) {
    return `${this.o.prefix}bus:node:${nodeId}`;
  }

  async broadcast(msg: BusMessage): Promise<void> {
    // This node hears its own broadcast at once, even when Redis is slow or away.
    this.deliver(msg);
    await this.publish(this.allChannel, { k: 'msg', from: this.instance, msg });
  }

  async send(nodeId: string, msg: BusMessage): Promise<void> {
    if (nodeId === this.nodeId) return this.deliver(msg);
    const heard = await this.publish(this.nodeChannel(nodeId), { k: 'msg', from: this.instance, msg });
    if (heard === 0) this.o.log.warn({ to: nodeId, type: msg.type }, 'bus message to a node that is not listening');
  }

  async request<T>(nodeId: string, req: BusRequest, timeoutMs = this.o.requestTimeoutMs): Promise<T> {
    if (nodeId === this.nodeId) return unwrapReply<T>(await answerRequest(this.requestHandler, req));
    if (this.closed) throw new AppError('UNAVAILABLE', 'This node is stopping');
    const id = randomUUID();
    const reply = new Promise<BusReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AppError('UNAVAILABLE', `Node ${nodeId} did not answer ${req.type} within ${timeoutMs} ms; try again`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
    reply.catch(() => {}); // rejected before it is awaited when the publish below fails
    const heard = await this.publish(this.nodeChannel(nodeId), { k: 'req', id, replyTo: this.ownChannel, req });
    if (heard <= 0) {
      this.settle(id);
      if (heard === 0) throw new NodeGoneError(nodeId);
      throw new AppError('UNAVAILABLE', `Node ${nodeId} could not be asked: shared state (Redis) failed`);
    }
    return unwrapReply<T>(await reply);
  }

  onMessage(handler: (msg: BusMessage) => void): void {
    this.handlers.push(handler);
  }

  onRequest(handler: (req: BusRequest) => Promise<unknown>): void {
    this.requestHandler = handler;
  }

  /** Stops listening and fails requests still waiting; the connections are the container's. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [id, p] of this.pending) {
      this.settle(id);
      p.reject(new AppError('UNAVAILABLE', 'This node is stopping'));
    }
    this.o.subscriber.off('message', this.onRaw);
    await this.o.subscriber.unsubscribe(this.allChannel, this.ownChannel).catch((err) => this.o.log.warn({ err }, 'bus unsubscribe failed'));
  }

  /**
   * Publishes; the number of subscribers that heard it, or -1 when Redis failed. Never throws:
   * callers fire messages and forget them, and a lost message is repaired by the periodic
   * dispatch and recovery, so a failure is counted and logged rather than crashing a caller.
   */
  private async publish(channel: string, env: Envelope): Promise<number> {
    try {
      return await this.o.publisher.publish(channel, JSON.stringify(env));
    } catch (err) {
      this.o.onError(err);
      this.o.log.error({ err, channel }, 'bus publish failed');
      return -1;
    }
  }

  private deliver(msg: BusMessage) {
    // On a later tick, like the network: a sender never re-enters its own handlers synchronously.
    setImmediate(() => {
      for (const h of this.handlers) {
        try {
          h(msg);
        } catch (err) {
          this.o.log.error({ err, type: msg.type }, 'bus message handler failed');
        }
      }
    });
  }

  private settle(id: string) {
    const p = this.pending.get(id);
    if (p) clearTimeout(p.timer);
    this.pending.delete(id);
    return p;
  }

  private receive(raw: string) {
    let env: Envelope;
    try {
      env = JSON.parse(raw) as Envelope;
    } catch {
      this.o.log.warn('unreadable bus message dropped');
      return;
    }
    if (this.closed) return;
    if (env.k === 'msg') {
      if (env.from !== this.instance) this.deliver(env.msg);
    } else if (env.k === 'req') {
      void answerRequest(this.requestHandler, env.req).then((reply) => this.publish(env.replyTo, { k: 'rep', id: env.id, reply }));
    } else if (env.k === 'rep') {
      this.settle(env.id)?.resolve(env.reply);
    }
  }
}
