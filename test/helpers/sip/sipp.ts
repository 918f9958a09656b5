import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freeSipPort, until } from './ports.ts';
import { Proc } from './process.ts';

export const SCENARIOS = resolve(import.meta.dirname, '../../../sip-config/sipp');

/** A static SDP offer (sipp keywords are not expanded inside -key values). */
export const STATIC_SDP = ['v=0', 'o=caller 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');

/** Keys every screenpop scenario may use; tests override them. `headers` is never empty (an empty line would end the headers). */
const DEFAULT_KEYS: Record<string, string> = {
  from: '"Test Caller" <sip:+14155550100@127.0.0.1>',
  headers: 'User-Agent: screenpop-test',
  to_params: '',
  body_headers: 'Content-Type: application/sdp',
  body: STATIC_SDP,
};

export interface SippResult {
  code: number | null;
  output: string;
  /** Lines the scenario logged with <log> (one per line). */
  logs: string[];
}

function logLines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean) : [];
}

function common(scenario: string, dir: string, keys: Record<string, string>) {
  const args = ['-sf', join(SCENARIOS, scenario), '-nostdin', '-trace_logs', '-log_file', join(dir, 'log.txt'), '-trace_err', '-error_file', join(dir, 'errors.txt')];
  for (const [k, v] of Object.entries({ ...DEFAULT_KEYS, ...keys })) args.push('-key', k, v);
  return args;
}

export interface UacOptions {
  /** drachtio-server's host:port. */
  target: string;
  /** The dialled number (Request-URI user part). */
  service: string;
  /** The address the call comes from (a trunk's source), e.g. 127.0.0.5. */
  localIp: string;
  keys?: Record<string, string>;
  calls?: number;
  /** Calls per second. */
  rate?: number;
  /** Pause length for <pause/> in the scenario. */
  pauseMs?: number;
  auth?: { username: string; password: string };
  timeoutMs?: number;
  extraArgs?: string[];
}

/** Runs sipp as a caller (the trunk side) until its calls are done. */
export async function runSippUac(sipp: string, scenario: string, o: UacOptions): Promise<SippResult> {
  const dir = mkdtempSync(join(tmpdir(), 'screenpop-sipp-'));
  try {
    const port = await freeSipPort(o.localIp, false);
    const args = [o.target, ...common(scenario, dir, o.keys ?? {}), '-i', o.localIp, '-p', String(port), '-s', o.service, '-m', String(o.calls ?? 1)];
    args.push('-timeout', `${Math.ceil((o.timeoutMs ?? 60_000) / 1000)}s`, '-timeout_error');
    if (o.rate) args.push('-r', String(o.rate));
    if (o.pauseMs !== undefined) args.push('-d', String(o.pauseMs));
    if (o.auth) args.push('-au', o.auth.username, '-ap', o.auth.password);
    args.push(...(o.extraArgs ?? []));
    const proc = new Proc('sipp', sipp, args, { cwd: dir });
    const code = await proc.exited;
    const errors = existsSync(join(dir, 'errors.txt')) ? readFileSync(join(dir, 'errors.txt'), 'utf8').slice(-4000) : '';
    return { code, output: `${proc.output().slice(-6000)}${errors ? `\n--- sipp errors ---\n${errors}` : ''}`, logs: logLines(join(dir, 'log.txt')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** sipp as a phone (an agent's, a customer's): listens on a free port until stopped. */
export class SippPhone {
  readonly port: number;
  readonly ip: string;
  private readonly proc: Proc;
  private readonly dir: string;

  private constructor(ip: string, port: number, proc: Proc, dir: string) {
    this.ip = ip;
    this.port = port;
    this.proc = proc;
    this.dir = dir;
  }

  static async start(sipp: string, scenario: string, opts: { ip?: string; pauseMs?: number; keys?: Record<string, string>; extraArgs?: string[] } = {}): Promise<SippPhone> {
    const ip = opts.ip ?? '127.0.0.1';
    const dir = mkdtempSync(join(tmpdir(), 'screenpop-phone-'));
    const port = await freeSipPort(ip, false);
    const args = [...common(scenario, dir, opts.keys ?? {}), '-i', ip, '-p', String(port), ...(opts.pauseMs !== undefined ? ['-d', String(opts.pauseMs)] : []), ...(opts.extraArgs ?? [])];
    const proc = new Proc('sipp-phone', sipp, args, { cwd: dir });
    // sipp binds at once; a phone that died at start (bad scenario) is reported here, not later.
    await new Promise((r) => setTimeout(r, 150));
    if (!proc.running) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`sipp phone ${scenario} did not start:\n${proc.output()}`);
    }
    return new SippPhone(ip, port, proc, dir);
  }

  /** The SIP address to give an agent (sipUri) or a trunk (outboundUri). */
  uri(user = 'agent'): string {
    return `sip:${user}@${this.ip}:${this.port}`;
  }

  logs(): string[] {
    return logLines(join(this.dir, 'log.txt'));
  }

  /** The INVITEs this phone received, parsed from its log. */
  invites(): Array<{ call: string; customer: string; from: string; sdp: boolean; requestUri: string }> {
    return this.logs()
      .filter((l) => l.startsWith('invite '))
      .map((l) => {
        const m = /^invite call=(.*?) customer=(.*?) from=(.*?) sdp=(.*?) ruri=(.*)$/.exec(l);
        return {
          call: m?.[1]?.trim() ?? '',
          customer: m?.[2]?.trim() ?? '',
          from: m?.[3]?.trim() ?? '',
          sdp: (m?.[4] ?? '').includes('m=audio'),
          requestUri: (m?.[5] ?? '').replace(/^INVITE\s+/, '').trim(),
        };
      });
  }

  async waitForLog(pattern: RegExp, count = 1, timeoutMs = 15_000): Promise<string[]> {
    return until(`sipp phone log ${pattern}`, () => {
      const hits = this.logs().filter((l) => pattern.test(l));
      return hits.length >= count ? hits : undefined;
    }, timeoutMs).catch((err: Error) => {
      throw new Error(`${err.message}\n--- phone output ---\n${this.proc.output().slice(-3000)}\n--- log ---\n${this.logs().join('\n')}`);
    });
  }

  output(): string {
    return this.proc.output();
  }

  async stop(): Promise<void> {
    await this.proc.stop(1000);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
