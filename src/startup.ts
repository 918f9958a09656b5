import { createServer, type Server } from 'node:http';
import { isTransient } from './db/store-errors.ts';
import { DependencyDownError, errorBody } from './shared/errors.ts';

/** Which dependency a start-up failure is waiting on, or null when waiting cannot help (a bug, bad SQL). */
export function missingDependency(err: unknown): { name: 'database' | 'redis'; detail: string } | null {
  if (err instanceof DependencyDownError) return { name: err.dependency, detail: err.message };
  if (isTransient(err)) return { name: 'database', detail: `PostgreSQL is not reachable: ${(err as Error).message}` };
  return null;
}

/** Wait before the next try: 0.5 s doubling to 15 s. */
export const startupBackoffMs = (attempt: number) => Math.min(15_000, 500 * 2 ** attempt);

/**
 * What answers on the service's port while it waits for PostgreSQL or Redis: `/health` says the
 * process is alive, `/ready` is 503 naming what is missing, everything else is 503 UNAVAILABLE.
 * Closed once the service proper can start, which then listens on the same port.
 */
export class StartupServer {
  private readonly server: Server;
  private missing: Record<string, { ok: false; detail: string }> = {};

  private constructor() {
    this.server = createServer((req, res) => {
      const path = req.url?.split('?')[0];
      const [status, body] =
        path === '/health'
          ? [200, { status: 'ok', starting: true }]
          : path === '/ready'
            ? [503, { status: 'unavailable', checks: this.missing }]
            : [503, errorBody('UNAVAILABLE', 'screenpop is starting: it waits for its store; try again shortly')];
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...(status === 503 ? { 'retry-after': '5' } : {}) });
      res.end(JSON.stringify(body));
    });
  }

  static async listen(host: string, port: number): Promise<StartupServer> {
    const s = new StartupServer();
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen(port, host, () => resolve());
    });
    return s;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  waitingFor(name: string, detail: string): void {
    this.missing = { [name]: { ok: false, detail: detail.slice(0, 200) } };
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
