import { io, type Socket } from 'socket.io-client';

export interface Received {
  event: string;
  args: unknown[];
  at: number;
}

/**
 * A socket.io client as a desktop: connects to a namespace with an API key, records every event,
 * acknowledges pops, and lets a test wait for the event it expects.
 */
export class TestClient {
  readonly socket: Socket;
  readonly events: Received[] = [];
  private waiters: Array<{ event: string; match: (args: unknown[]) => boolean; resolve: (args: unknown[]) => void }> = [];
  /** Set false to leave pops unacknowledged. */
  ackPops = true;

  constructor(baseUrl: string, namespace: '/agent' | '/supervisor', token: string) {
    this.socket = io(`${baseUrl}${namespace}`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    this.socket.onAny((event: string, ...args: unknown[]) => {
      const last = args.at(-1);
      if (event === 'call:offered' && typeof last === 'function') {
        if (this.ackPops) (last as () => void)();
        args = args.slice(0, -1);
      }
      this.events.push({ event, args, at: performance.now() });
      for (const w of [...this.waiters]) {
        if (w.event === event && w.match(args)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(args);
        }
      }
    });
  }

  static async connect(baseUrl: string, namespace: '/agent' | '/supervisor', token: string): Promise<TestClient> {
    const c = new TestClient(baseUrl, namespace, token);
    await new Promise<void>((resolve, reject) => {
      c.socket.once('connect', () => resolve());
      c.socket.once('connect_error', (err) => reject(err));
    });
    return c;
  }

  /** The first payload of `event` (already received or still to come) that `match` accepts. */
  next<T = unknown>(event: string, match: (payload: T) => boolean = () => true, timeoutMs = 10_000): Promise<T> {
    const seen = this.events.find((e) => e.event === event && match(e.args[0] as T));
    if (seen) return Promise.resolve(seen.args[0] as T);
    return this.waitFor(event, match, timeoutMs);
  }

  /**
   * Resolves once the latest `event` received satisfies `match` — for state-like events where
   * only the newest counts (an agent's state), whether it already arrived or is still to come.
   */
  current<T = unknown>(event: string, match: (payload: T) => boolean, timeoutMs = 10_000): Promise<T> {
    const latest = this.events.findLast((e) => e.event === event);
    if (latest && match(latest.args[0] as T)) return Promise.resolve(latest.args[0] as T);
    return this.waitFor(event, match, timeoutMs);
  }

  private waitFor<T>(event: string, match: (payload: T) => boolean, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms; got: ${this.events.map((e) => e.event).join(', ')}`)), timeoutMs);
      this.waiters.push({
        event,
        match: (args) => match(args[0] as T),
        resolve: (args) => {
          clearTimeout(timer);
          resolve(args[0] as T);
        },
      });
    });
  }

  /** Sends an event and returns its acknowledgement (`{ ok, data | error }`). */
  async emit<T = unknown>(event: string, payload: unknown): Promise<{ ok: boolean; data?: T; error?: { code: string; message: string } }> {
    return this.socket.timeout(10_000).emitWithAck(event, payload);
  }

  count(event: string, match: (payload: unknown) => boolean = () => true): number {
    return this.events.filter((e) => e.event === event && match(e.args[0])).length;
  }

  close(): void {
    this.socket.disconnect();
  }
}
