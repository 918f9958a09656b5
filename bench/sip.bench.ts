import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { startDrachtio } from '../test/helpers/sip/drachtio.ts';
import { freeTcpPort, until } from '../test/helpers/sip/ports.ts';
import { Proc } from '../test/helpers/sip/process.ts';
import { runSippUac, SippPhone } from '../test/helpers/sip/sipp.ts';
import { percentiles } from './stats.ts';

// SIP part of `npm run bench` (the launchers are the SIP system tests' own). Prints figures, asserts nothing.
const ADMIN = 'sip-bench-admin-key-0123456789';
const TRUNK_IP = '127.0.0.5';
const DNIS = '9000';
const CALLER = '+14155550123';
const now = () => performance.timeOrigin + performance.now();

interface Service {
  proc: Proc;
  url: string;
  api<T = any>(method: string, path: string, body?: unknown): Promise<T>;
}

async function startService(serverUrl: string, drachtio: { adminPort: number; secret: string }): Promise<Service> {
  const url = new URL(serverUrl);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS screenpop_sip_bench WITH (FORCE)');
  await admin.query('CREATE DATABASE screenpop_sip_bench');
  // BENCH_SIP_ASYNC_COMMIT=1: commits do not wait for the disk (to see what the store's fsyncs cost; not how to run screenpop).
  if (process.env.BENCH_SIP_ASYNC_COMMIT === '1') await admin.query('ALTER DATABASE screenpop_sip_bench SET synchronous_commit TO off');
  await admin.end();
  url.pathname = '/screenpop_sip_bench';
  const port = await freeTcpPort();
  // BENCH_SIP_PROFILE=<dir>: a CPU profile of the service (open it in Chrome DevTools).
  const profile = process.env.BENCH_SIP_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_SIP_PROFILE}`] : [];
  const proc = new Proc('screenpop', process.execPath, [...profile, 'src/main.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DATABASE_POOL_SIZE: process.env.BENCH_SIP_POOL ?? '10',
      DATABASE_URL: url.toString(),
      REDIS_URL: '',
      SCREENPOP_ADMIN_KEY: ADMIN,
      SEED_DEMO: 'false',
      DRACHTIO_HOST: '127.0.0.1',
      DRACHTIO_PORT: String(drachtio.adminPort),
      DRACHTIO_SECRET: drachtio.secret,
    },
  });
  const base = `http://127.0.0.1:${port}`;
  await until('screenpop ready with SIP', async () => proc.running && (await fetch(`${base}/ready`)).ok, 60_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${proc.output().slice(-2000)}`);
  });
  return {
    proc,
    url: base,
    async api(method, path, body) {
      const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.json();
    },
  };
}

/** Agents with a desktop each (acknowledging pops, noting when each arrived) and a phone on the sipp "phone bank". */
async function makeAgents(service: Service, count: number, phone: SippPhone, popAt: Map<string, number>, offeredAt: Map<string, number>): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, count - i) }, (_, j) =>
        service.api<{ key: string }>('POST', '/v1/agents', { name: `Bench ${i + j}`, skills: ['bench'], sipUri: phone.uri(`agent${i + j}`) }),
      ),
    );
    for (const { key } of batch) {
      const s = io(`${service.url}/agent`, { auth: { token: key }, transports: ['websocket'], reconnection: false, forceNew: true });
      s.on('call:offered', (pop: { call: { externalId: string; offeredAt: string } }, ack: () => void) => {
        popAt.set(pop.call.externalId, now());
        offeredAt.set(pop.call.externalId, Date.parse(pop.call.offeredAt));
        ack();
      });
      await new Promise<void>((resolve, reject) => {
        s.once('connect', resolve);
        s.once('connect_error', reject);
      });
      const r = await s.timeout(10_000).emitWithAck('agent:set-state', { status: 'ready' });
      if (!r.ok) throw new Error(`agent ready: ${JSON.stringify(r)}`);
      sockets.push(s);
    }
  }
  return sockets;
}

function counts(output: string): { ok: number; failed: number } {
  const last = (label: string) => {
    const all = [...output.matchAll(new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`, 'g'))];
    return Number(all.at(-1)?.[1] ?? NaN);
  };
  return { ok: last('Successful call'), failed: last('Failed call') };
}

/** When sipp sent each INVITE (by Call-ID), from its message trace. */
function inviteTimes(file: string): Map<string, number> {
  const sent = new Map<string, number>();
  const blocks = readFileSync(file, 'utf8').split(/^-{20,} /m);
  for (const b of blocks) {
    const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\.(\d{6})\r?\n\w+ message sent[^\n]*\n\s*\nINVITE [\s\S]*?^Call-ID: *(\S+)/m.exec(b);
    if (!m) continue;
    const at = new Date(`${m[1]}T${m[2]}`).getTime() + Number(m[3]) / 1000;
    if (!sent.has(m[4]!)) sent.set(m[4]!, at);
  }
  return sent;
}

function rssMiB(pid: number | undefined): string {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024;
    return `${kb('VmRSS').toFixed(0)} MiB (peak ${kb('VmHWM').toFixed(0)} MiB)`;
  } catch {
    return 'n/a';
  }
}

/**
 * sipp calls at rising rates through drachtio-server → screenpop → sipp phones answering; every
 * call is popped on a desktop (socket.io) and logged in PostgreSQL. Prints the highest rate with
 * no failed call, INVITE → pop latency at 100 calls per second, and the service's memory.
 */
export async function benchSip(serverUrl: string, tools: { drachtio: string; sipp: string }): Promise<void> {
  const agents = Number(process.env.BENCH_SIP_AGENTS ?? 600);
  const stepSeconds = Number(process.env.BENCH_SIP_STEP_SECONDS ?? 8);
  const rates = (process.env.BENCH_SIP_RATES ?? '50,100,150,200,250,300,400').split(',').map(Number);
  const drachtio = await startDrachtio({ kind: 'binary', path: tools.drachtio }, { logLevel: 'error' });
  const service = await startService(serverUrl, drachtio);
  const phone = await SippPhone.start(tools.sipp, 'uas-agent-answer.xml');
  const popAt = new Map<string, number>();
  const offeredAt = new Map<string, number>();
  const sockets: Socket[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'screenpop-sip-bench-'));
  try {
    await service.api('POST', '/v1/queues', { id: 'bench', name: 'Bench', skill: 'bench', dialledNumbers: [DNIS], wrapUpSeconds: 1, ringTimeoutSeconds: 20, maxWaitSeconds: 60 });
    await service.api('POST', '/v1/trunks', { name: 'bench', sources: [TRUNK_IP], defaultCountry: 'US' });
    await service.api('POST', '/v1/customers?force=true', { displayName: 'Ada Lovelace', phones: [{ number: CALLER }], valueSegment: 'gold' });
    sockets.push(...(await makeAgents(service, agents, phone, popAt, offeredAt)));
    console.log(`sip: ${agents} agents ready (desktop + sipp phone each), drachtio-server ${tools.drachtio}, calls of ~0.5 s (ring 0.3 s, talk 0.2 s), wrap-up 1 s`);

    const call = (rate: number, total: number, extraArgs: string[] = []) =>
      runSippUac(tools.sipp, 'uac-expect-answer-caller-hangs-up.xml', {
        target: drachtio.sipTarget,
        service: DNIS,
        localIp: TRUNK_IP,
        calls: total,
        rate,
        pauseMs: 200,
        keys: { from: `"Ada Lovelace" <sip:${CALLER}@pbx.example.com>` },
        timeoutMs: (stepSeconds + 30) * 1000,
        extraArgs: ['-l', String(Math.floor(agents * 0.9)), ...extraArgs],
      });
    const settle = () => new Promise((r) => setTimeout(r, 2500)); // wrap-ups end, phones hang up

    // INVITE → pop per call, from sipp's own send times (its message trace) and the desktops' receive times.
    let traceNo = 0;
    const traced = async (rate: number, total: number) => {
      const trace = join(dir, `messages-${++traceNo}.log`);
      const r = await call(rate, total, ['-trace_msg', '-message_file', trace]);
      const sent = inviteTimes(trace);
      rmSync(trace, { force: true });
      const split = [...sent].flatMap(([id, at]) => (popAt.has(id) && offeredAt.has(id) ? [[popAt.get(id)! - at, offeredAt.get(id)! - at, popAt.get(id)! - offeredAt.get(id)!] as const] : []));
      return { r, ...counts(r.output), popped: split.length, latency: split.map((x) => x[0]), toOffer: split.map((x) => x[1]), offerToPop: split.map((x) => x[2]) };
    };

    // Warm-up (JIT, database connections), then 100 calls per second.
    await traced(50, 150);
    await settle();
    const at100 = await traced(100, 100 * stepSeconds);
    console.log(`sip: INVITE → pop at 100 calls/s: ${percentiles(at100.latency)} (${at100.popped} calls, ${at100.failed} failed)`);
    // Where the time goes: up to the call service taking the offer (drachtio, the INVITE pipeline), then matching, queueing, dispatch, socket.io.
    console.log(`sip:   of which INVITE → offer taken ${percentiles(at100.toOffer)}; offer → pop ${percentiles(at100.offerToPop)}`);
    console.log(`sip: service RSS after 100 calls/s: ${rssMiB(service.proc.child.pid)}`);
    if (process.env.BENCH_SIP_DEBUG) console.log((await (await fetch(`${service.url}/metrics`)).text()).split('\n').filter((l) => /eventloop_lag|pop_latency_seconds_(sum|count)|store_errors/.test(l) && !l.startsWith('#')).join('\n'));
    await settle();

    let best = 0;
    for (const rate of rates) {
      const step = await traced(rate, rate * stepSeconds);
      console.log(`sip: ${rate} calls/s for ${stepSeconds} s: ${step.ok} answered and hung up, ${step.failed} failed; INVITE → pop ${percentiles(step.latency)}`);
      if (process.env.BENCH_SIP_DEBUG) {
        await settle();
        const m = await (await fetch(`${service.url}/metrics`)).text();
        console.log(`sip:   heap ${m.split('\n').filter((l) => /heap_size_used_bytes/.test(l) && !l.startsWith('#')).join('; ')}`);
      }
      if (step.failed !== 0 || step.r.code !== 0) break;
      best = rate;
      await settle();
    }
    console.log(`sip: highest rate with 0 failed calls: ${best ? `${best} calls/s` : 'none of the rates tried'}`);
    console.log(`sip: service RSS at the end: ${rssMiB(service.proc.child.pid)}`);
    if (process.env.BENCH_SIP_DEBUG) {
      const laterS = Number(process.env.BENCH_SIP_DEBUG_LATER_S ?? 10);
      await new Promise((r) => setTimeout(r, laterS * 1000));
      const m = await (await fetch(`${service.url}/metrics`)).text();
      console.log(`sip: ${laterS} s later: RSS ${rssMiB(service.proc.child.pid)}; ${m.split('\n').filter((l) => /heap_size_used_bytes|active_handles_total /.test(l) && !l.startsWith('#')).join('; ')}`);
    }
  } finally {
    for (const s of sockets) s.disconnect();
    await phone.stop();
    await service.proc.stop(15_000);
    await drachtio.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
