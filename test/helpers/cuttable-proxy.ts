import { createServer, type Server, type Socket } from 'node:net';
import { connect } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of the service whose "network" a test can cut: cut() resets
 * every open connection and refuses new ones until restore(). The browser sees a real outage.
 */
export class CuttableProxy {
  private server: Server;
  private readonly open = new Set<Socket>();
  private down = false;
  port = 0;

  private constructor(target: { host: string; port: number }) {
    this.server = createServer((client) => {
      if (this.down) return client.resetAndDestroy();
      const upstream = connect(target.port, target.host);
      this.open.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.open.delete(client);
        this.open.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
  }

  static async start(targetUrl: string): Promise<CuttableProxy> {
    const u = new URL(targetUrl);
    const p = new CuttableProxy({ host: u.hostname, port: Number(u.port) });
    await new Promise<void>((resolve) => p.server.listen(0, '127.0.0.1', resolve));
    p.port = (p.server.address() as { port: number }).port;
    return p;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  cut(): void {
    this.down = true;
    for (const s of this.open) s.resetAndDestroy();
    this.open.clear();
  }

  restore(): void {
    this.down = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
