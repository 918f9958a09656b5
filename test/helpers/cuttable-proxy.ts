import { createServer, type Server, type Socket } from 'node:net';
import { connect } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a service (screenpop, PostgreSQL, Redis) whose "network" a
 * test can break: cut() resets every open connection and refuses new ones until restore();
 * blackhole() keeps connections open but lets no byte through either way (a silent peer, packets
 * dropped) until restore() lets the held bytes and connections through, as TCP would.
 */
export class CuttableProxy {
  private server: Server;
  private readonly open = new Set<Socket>();
  private mode: 'open' | 'cut' | 'blackhole' = 'open';
  private readonly held: Socket[] = [];
  private readonly pairs = new Set<[Socket, Socket]>();
  private readonly target: { host: string; port: number };
  port = 0;

  private constructor(target: { host: string; port: number }) {
    this.target = target;
    this.server = createServer((client) => {
      if (this.mode === 'cut') return client.resetAndDestroy();
      client.on('error', () => client.destroy());
      if (this.mode === 'blackhole') {
        client.pause();
        this.held.push(client);
        this.open.add(client);
        return;
      }
      this.join(client);
    });
  }

  private join(client: Socket) {
    const upstream = connect(this.target.port, this.target.host);
    this.open.add(client).add(upstream);
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.open.delete(client);
      this.open.delete(upstream);
      this.pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  }

  /** `url`'s host and port: http://…, postgres://…, redis://… */
  static async start(targetUrl: string): Promise<CuttableProxy> {
    const u = new URL(targetUrl);
    const defaultPort = { 'postgres:': 5432, 'postgresql:': 5432, 'redis:': 6379 }[u.protocol] ?? 80;
    const p = new CuttableProxy({ host: u.hostname, port: Number(u.port || defaultPort) });
    await new Promise<void>((resolve) => p.server.listen(0, '127.0.0.1', resolve));
    p.port = (p.server.address() as { port: number }).port;
    return p;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** `targetUrl` with its host and port replaced by this proxy's. */
  via(targetUrl: string): string {
    const u = new URL(targetUrl);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  cut(): void {
    this.mode = 'cut';
    for (const s of this.open) s.resetAndDestroy();
    this.open.clear();
    this.pairs.clear();
    this.held.length = 0;
  }

  blackhole(): void {
    this.mode = 'blackhole';
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  restore(): void {
    const wasBlackhole = this.mode === 'blackhole';
    this.mode = 'open';
    if (!wasBlackhole) return;
    for (const [client, upstream] of this.pairs) {
      client.pipe(upstream);
      upstream.pipe(client);
    }
    for (const client of this.held.splice(0)) {
      this.open.delete(client);
      if (!client.destroyed) {
        this.join(client);
        client.resume();
      }
    }
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
