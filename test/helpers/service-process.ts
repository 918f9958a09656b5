import { spawn, type ChildProcess } from 'node:child_process';

export interface ServiceProcess {
  proc: ChildProcess;
  url: string;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, resolving with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `node src/main.ts` the way `npm start` does, on a free port, with the embedded store unless env says otherwise. */
export function startService(env: Record<string, string>): Promise<ServiceProcess> {
  return new Promise((resolve, reject) => {
    let out = '';
    const proc = spawn(process.execPath, ['src/main.ts'], {
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', DATABASE_URL: '', REDIS_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => proc.on('exit', r));
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${out}`)), 100_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({
          proc,
          url: m[1],
          output: () => out,
          stop: () => {
            if (proc.exitCode === null) proc.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`service exited ${code}:\n${out}`)));
  });
}

/** Runs a CLI (`node <script> ...args`) to its end and returns what it printed and its exit code. */
export function runCli(script: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `node src/main.ts` without waiting for it to listen (a start that waits, or fails). */
export function spawnService(env: Record<string, string>) {
  let out = '';
  const proc = spawn(process.execPath, ['src/main.ts'], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', DATABASE_URL: '', REDIS_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', r));
  return { proc, exited, output: () => out };
}

/** JSON over HTTP to a service process: `token` by default, another key when given. */
export function apiWith(defaultToken: string) {
  return async <T = any>(base: string, method: string, path: string, body?: unknown, token = defaultToken): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}
