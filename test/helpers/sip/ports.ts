import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

function tcpFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

function udpPort(host: string, port = 0): Promise<number | null> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(null));
    s.bind(port, host, () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

/** A port free for TCP on `host` (the OS picks it). */
export async function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A port free for UDP on `host`, and for TCP too when `tcp` (SIP listens on both). */
export async function freeSipPort(host = '127.0.0.1', tcp = true): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await udpPort(host);
    if (port && (!tcp || (await tcpFree(port, host)))) return port;
  }
  throw new Error('no free SIP port');
}

/** Waits until something accepts TCP connections on host:port. */
export async function waitForTcp(host: string, port: number, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const { connect } = await import('node:net');
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host, port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (!alive()) throw new Error(`the process for ${host}:${port} exited`);
    if (Date.now() > until) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls until `fn` returns a value (not undefined/false) or throws after the timeout. */
export async function until<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 15_000): Promise<Exclude<T, false | undefined | null>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false && v !== null) return v as Exclude<T, false | undefined | null>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}
