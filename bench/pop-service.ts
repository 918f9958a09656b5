import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The service as a user runs it: `node src/main.ts`, its own process, configured by environment. */
export interface ServiceProcess {
  readonly url: string;
  readonly pid: number;
  /** Log lines the service printed (JSON at LOG_LEVEL=warn): count per level and the first few. */
  readonly logs: { byLevel: Record<string, number>; first: string[] };
  /** VmRSS now, MiB (0 when /proc is not there). */
  rssMiB(): number;
  /** User + system CPU seconds the process has used so far (NaN without /proc). */
  cpuSeconds(): number;
  /** Still running (not exited or killed since it started). */
  alive(): boolean;
  /** SIGTERM; resolves with the exit code (or the signal that ended it). */
  stop(timeoutMs?: number): Promise<string>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts the service and waits for GET /ready; extra node arguments (e.g. --cpu-prof) go before the
 * script; with `logFile` its whole output is also written there.
 */
export async function startService(env: Record<string, string>, nodeArgs: string[] = [], logFile?: string): Promise<ServiceProcess> {
  const port = await freePort();
  const base = { ...process.env };
  // Only what the bench chooses: a developer's shell may point at Redis, drachtio or webhook receivers.
  for (const k of ['REDIS_URL', 'DRACHTIO_HOST', 'DRACHTIO_SECRET', 'DRACHTIO_PORT', 'TRUNKS_FILE', 'WEBHOOK_URLS', 'WEBHOOK_SECRET', 'NODE_ID']) delete base[k];
  const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  const child = spawn(process.execPath, [...nodeArgs, main], {
    env: { ...base, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs = { byLevel: {} as Record<string, number>, first: [] as string[] };
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      let level = 'stderr';
      try {
        const n = (JSON.parse(line) as { level?: number }).level;
        level = n === undefined ? 'other' : n >= 60 ? 'fatal' : n >= 50 ? 'error' : n >= 40 ? 'warn' : 'info';
      } catch {
        // not pino JSON: a crash trace or a warning from node itself
      }
      logs.byLevel[level] = (logs.byLevel[level] ?? 0) + 1;
      if (logs.first.length < 5) logs.first.push(line.slice(0, 400));
    }
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  if (logFile) {
    const file = createWriteStream(logFile);
    child.stdout!.pipe(file);
    child.stderr!.pipe(file);
  }
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code))));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited (${child.exitCode}) at start:\n${logs.first.join('\n')}`);
    const ok = await fetch(`${url}/ready`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`service not ready within 60 s:\n${logs.first.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid!,
    logs,
    rssMiB: () => rssOf(child),
    cpuSeconds: () => cpuOf(child),
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: (ms) => stop(child, exited, ms),
  };
}

function rssOf(child: ChildProcess): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

function cpuOf(child: ChildProcess): number {
  try {
    // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

async function stop(child: ChildProcess, exited: Promise<string>, timeoutMs = 20_000): Promise<string> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * From the service's GET /metrics: its own pop-latency histogram (count, mean, bucket bounds for
 * p50 / p99) and its event-loop delay since the previous scrape (prom-client resets it per scrape).
 */
export async function serviceMetrics(url: string): Promise<{ popLatency: string; eventLoop: string }> {
  const text = await fetch(`${url}/metrics`).then((r) => r.text());
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
  const ms = (name: string) => `${(value(`screenpop_process_nodejs_eventloop_lag_${name}_seconds`) * 1000).toFixed(1)} ms`;
  const eventLoop = `p50 ${ms('p50')}, p99 ${ms('p99')}, max ${ms('max')}`;
  const buckets: Array<[number, number]> = [];
  for (const m of text.matchAll(/^screenpop_pop_latency_seconds_bucket\{le="([^"]+)"\} (\S+)/gm)) buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
  const count = value('screenpop_pop_latency_seconds_count');
  if (!count) return { popLatency: 'no observations', eventLoop };
  const bound = (q: number) => {
    const le = buckets.find(([, n]) => n >= q * count)?.[0] ?? Infinity;
    return le === Infinity ? '> 5 s' : `≤ ${le * 1000} ms`;
  };
  const mean = (value('screenpop_pop_latency_seconds_sum') / count) * 1000;
  return { popLatency: `${count} acknowledged, mean ${mean.toFixed(2)} ms, p50 ${bound(0.5)}, p99 ${bound(0.99)}`, eventLoop };
}
