import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { createDatabase } from '../src/db/database.ts';
import { clearPopRun } from './bench-database.ts';
import { FORMATS } from './lookup.bench.ts';
import type { ChildMessage, ChildReport, DrainMessage, StartMessage } from './pop-agents.ts';
import { serviceMetrics, startService, type ServiceProcess } from './pop-service.ts';
import { callLogCheck, dropRedisKeys, transactions } from './pop-store.ts';
import { percentiles, progress } from './stats.ts';

export interface PopBenchOptions {
  agents: number;
  /** Calls offered per second, on a fixed schedule. */
  rate: number;
  seconds: number;
  /** The service's DATABASE_POOL_SIZE (its default when unset). */
  dbPoolSize?: number;
  /** Run the cluster path (shared state in Redis) instead of the embedded in-process state. */
  redisUrl?: string;
  /** Extra node arguments for the service, e.g. --cpu-prof --cpu-prof-dir=/tmp/prof. */
  serviceNodeArgs: string[];
  /** The service's LOG_LEVEL (default warn) and a file for its whole output. */
  serviceLogLevel?: string;
  serviceLogFile?: string;
}

export const DNIS = '9000';
const now = () => performance.timeOrigin + performance.now();
const mib = (n: number) => `${n.toFixed(0)} MiB`;

export interface Offer {
  externalId: string;
  sentAt: number;
  status?: number;
  respondedAt?: number;
  error?: string;
}

/**
 * Pop part of `npm run bench`: the service as its own process on the bench database, agents'
 * desktops (socket.io-client) in another, calls offered over the call-event API on a fixed
 * schedule. Measures offered → pop received on the desktop, and checks nothing was lost.
 */
export async function benchPop(url: string, o: PopBenchOptions): Promise<void> {
  const database = createDatabase({ url, poolSize: 2 });
  const db = database.db;
  const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
  let service: ServiceProcess | null = null;
  let agents: ReturnType<typeof fork> | null = null;
  const redisPrefix = `bench-${randomBytes(4).toString('hex')}:`;
  try {
    const total = Math.round(o.rate * o.seconds);
    const callers = await pickCallers(db, total);

    service = await startService(
      {
        DATABASE_URL: url,
        SEED_DEMO: 'false',
        SCREENPOP_ADMIN_KEY: adminKey,
        LOG_LEVEL: o.serviceLogLevel ?? 'warn',
        // Its own key prefix: other users of that Redis (tests, a dev node) never see the bench's state.
        ...(o.redisUrl ? { REDIS_URL: o.redisUrl, REDIS_KEY_PREFIX: redisPrefix } : {}),
        ...(o.dbPoolSize ? { DATABASE_POOL_SIZE: String(o.dbPoolSize) } : {}),
      },
      o.serviceNodeArgs,
      o.serviceLogFile,
    );
    const api = apiClient(service.url, adminKey);
    console.log(`pop: service pid ${service.pid} (${o.redisUrl ? 'Redis shared state' : 'in-process state'}), RSS ${mib(service.rssMiB())} at start`);

    await api('POST', '/v1/queues', { id: 'bench', name: 'Bench', skill: 'bench', dialledNumbers: [DNIS], ringTimeoutSeconds: 30, wrapUpSeconds: 0, maxWaitSeconds: 120 });
    const integratorKey = ((await api('POST', '/v1/api-keys', { name: 'bench PBX', role: 'integrator' })) as { key: string }).key;
    const t = performance.now();
    const agentKeys = await createAgents(api, o.agents);
    console.log(`pop: ${o.agents} agents created over REST in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // The desktops: a separate process, so the bench's caller side and 1,000 clients do not share one event loop.
    agents = fork(fileURLToPath(new URL('./pop-agents.ts', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const messages = childMessages(agents);
    agents.send({
      type: 'start',
      url: service.url,
      agentKeys,
      integratorKey,
      disposition: 'resolved',
      ringMs: [200, 1000],
      talkMs: [1000, 4000],
    } satisfies StartMessage);
    const ready = await messages.next('ready');
    if (ready.type !== 'ready') throw new Error('agents process did not start');
    console.log(`pop: ${ready.connected} desktops connected, ${ready.ready} ready in ${(ready.ms / 1000).toFixed(1)} s; service RSS ${mib(service.rssMiB())}`);

    // RSS every second while calls flow; the peak is what a host must have.
    let peakRss = service.rssMiB();
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, service!.rssMiB())), 1000);
    const cpu0 = service.cpuSeconds();
    const xact0 = await transactions(db);
    await serviceMetrics(service.url); // resets its event-loop delay histogram: what follows is the calls' part
    const load0 = loadavg()[0]!;

    const offering = performance.now();
    const offers = await offerCalls(service.url, integratorKey, callers, o);
    const offeredMs = offers.at(-1)!.sentAt - offers[0]!.sentAt;
    // Until every offer was answered: the work those calls caused, over the time it took.
    const cpuShare = (service.cpuSeconds() - cpu0) / ((performance.now() - offering) / 1000);
    const accepted = offers.filter((x) => x.status === 200);

    agents.send({ type: 'drain', expected: accepted.length, timeoutMs: 60_000 } satisfies DrainMessage);
    const report = (await messages.next('done')) as ChildReport;
    clearInterval(sampler);

    // The last wrap-ups are stored before their acks; give the call log a moment for anything behind them.
    const ids = accepted.map((x) => x.externalId);
    for (let i = 0; i < 50; i++) {
      const open = await sql<{ n: number }>`SELECT count(*)::int AS n FROM calls WHERE ended_at IS NULL`.execute(db);
      if (open.rows[0]!.n === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const log = await callLogCheck(db, ids);
    const metrics = await serviceMetrics(service.url).catch((err: Error) => ({ popLatency: `unavailable (${err.message})`, eventLoop: 'unavailable' }));
    const endRss = service.rssMiB();
    await new Promise((r) => setTimeout(r, 1000)); // PostgreSQL publishes its counters within a second
    const xactPerCall = ((await transactions(db)) - xact0) / accepted.length;

    // ── figures ──
    const sent = new Map(offers.map((x) => [x.externalId, x.sentAt]));
    const firstPop = new Map<string, (typeof report.pops)[number]>();
    for (const p of report.pops) if (!firstPop.has(p.externalId)) firstPop.set(p.externalId, p);
    const latencies = [...firstPop.values()].filter((p) => sent.has(p.externalId)).map((p) => p.at - sent.get(p.externalId)!);
    const lost = accepted.filter((x) => !firstPop.has(x.externalId)).length;
    const steadyFrom = offers[0]!.sentAt + Math.min(5000, offeredMs / 4);
    const steadyTo = offers.at(-1)!.sentAt;
    const steadyDone = report.completed.filter(([, at]) => at >= steadyFrom && at <= steadyTo).length;
    const responseMs = accepted.map((x) => x.respondedAt! - x.sentAt);
    const failed = offers.filter((x) => x.status !== 200);

    console.log(`pop: offered ${offers.length} calls in ${(offeredMs / 1000).toFixed(1)} s = ${(((offers.length - 1) * 1000) / offeredMs).toFixed(1)} calls/s (asked ${o.rate}/s); accepted ${accepted.length}, refused ${failed.length}${failed[0] ? ` (first: ${failed[0].status ?? ''} ${failed[0].error ?? ''})` : ''}`);
    console.log(`pop: pops received ${firstPop.size} (+${report.pops.length - firstPop.size} re-pops), lost pops ${lost}, withdrawn ${report.withdrawn}`);
    console.log(`pop: completed (answered, ended, wrapped up) ${report.completed.length}; held ${(steadyDone / ((steadyTo - steadyFrom) / 1000)).toFixed(1)} calls/s completed in steady state`);
    console.log(`pop: offered → pop received: ${percentiles(latencies)}`);
    // By match outcome: an unknown caller gets a provisional customer written before its pop.
    const byMatch = new Map<string, number[]>();
    for (const p of firstPop.values()) if (sent.has(p.externalId)) byMatch.set(p.match, [...(byMatch.get(p.match) ?? []), p.at - sent.get(p.externalId)!]);
    for (const [match, ms] of [...byMatch].sort()) console.log(`pop:   ${match} (${ms.length}): ${percentiles(ms)}`);
    console.log(`pop: offer request answered:  ${percentiles(responseMs)}`);
    console.log(`pop: service's own pop latency (agent chosen → desktop ack, /metrics): ${metrics.popLatency}`);
    console.log(`pop: service event-loop delay during the calls: ${metrics.eventLoop}`);
    console.log(`pop: pop payload ${percentiles(report.pops.map((p) => p.bytes)).replaceAll(' ms', ' B')}`);
    console.log(`pop: service RSS peak ${mib(peakRss)}, at end ${mib(endRss)}; service CPU ${(cpuShare * 100).toFixed(0)} % of one core while offering; load average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} (shared machine)`);
    console.log(`pop: PostgreSQL transactions (each statement outside one counts) per call: ${xactPerCall.toFixed(1)}`);
    console.log(`pop: call log of the accepted offers: missing rows ${log.missing}, duplicates ${log.duplicates}, not closed ${log.open}, ended but not wrapped up ${log.notWrapped}; ${log.outcomes}`);
    for (const [stage, e] of Object.entries(report.errors)) console.log(`pop: agents side ${stage} errors: ${e.count} (first: ${e.first})`);
    const levels = Object.entries(service.logs.byLevel);
    if (levels.length) console.log(`pop: service log lines ${levels.map(([l, n]) => `${l} ${n}`).join(', ')}; first: ${service.logs.first[0]}`);
  } finally {
    if (agents && agents.exitCode === null) agents.kill();
    if (service) console.log(`pop: service stopped (${await service.stop()})`);
    if (o.redisUrl) await dropRedisKeys(o.redisUrl, redisPrefix);
    await clearPopRun(db).catch((err: Error) => console.log(`pop: clearing the run's calls and agents failed: ${err.message}`));
    await database.close();
  }
}

export type Api = (method: string, path: string, body?: unknown) => Promise<unknown>;

export function apiClient(base: string, key: string): Api {
  return async (method, path, body) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : undefined;
  };
}

export async function createAgents(api: Api, n: number): Promise<string[]> {
  const keys: string[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < n; i = next++) {
        const r = (await api('POST', '/v1/agents', { name: `Bench agent ${i + 1}`, skills: ['bench'] })) as { key: string };
        keys[i] = r.key;
        if (i % 50 === 0) progress(`agents ${i}/${n}`);
      }
    }),
  );
  progress('');
  return keys;
}

/** Caller numbers, picked before timing: customers' numbers in mixed formats, ~10 % unknown, ~2 % withheld. */
export async function pickCallers(db: ReturnType<typeof createDatabase>['db'], total: number): Promise<Array<{ from?: string; withheld?: true }>> {
  const rows = (
    await sql<{ raw: string; e164: string | null }>`SELECT raw, e164 FROM customer_phones WHERE NOT EXISTS (
        SELECT 1 FROM customers c WHERE c.id = customer_id AND c.provisional) AND id IN (
        SELECT 1 + floor(random() * (SELECT max(id) FROM customer_phones))::bigint FROM generate_series(1, ${total}))`.execute(db)
  ).rows;
  if (!rows.length) throw new Error('no customers in the bench database');
  return Array.from({ length: total }, (_, i) => {
    if (i % 50 === 7) return { withheld: true as const };
    // Hawaii 808-555: never seeded (and the previous run's provisional customers are gone): each creates one.
    if (i % 10 === 3) return { from: `+1 808 555 ${String(i % 10_000).padStart(4, '0')}` };
    const p = rows[i % rows.length]!;
    // National formats other than the US read as US numbers (the service's default country): given as E.164 forms.
    if (!p.e164) return { from: p.raw };
    const f = p.e164.startsWith('+1') ? FORMATS[i % FORMATS.length]! : FORMATS[1 + (i % (FORMATS.length - 1))]!;
    return { from: f(p.raw, p.e164) };
  });
}

/** Offers on a fixed schedule (not "next when the last returned"): a slow answer does not slow the offers down. */
export async function offerCalls(base: string, key: string, callers: Array<{ from?: string; withheld?: true }>, o: { rate: number }): Promise<Offer[]> {
  const run = randomBytes(4).toString('hex');
  const interval = 1000 / o.rate;
  const offers: Offer[] = [];
  const pending: Promise<void>[] = [];
  const t0 = performance.now() + 50;
  for (let i = 0; i < callers.length; i++) {
    const wait = t0 + i * interval - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const offer: Offer = { externalId: `bench-${run}-${i}`, sentAt: now() };
    offers.push(offer);
    const body = JSON.stringify({ type: 'offered', callId: offer.externalId, to: DNIS, ...callers[i] });
    pending.push(
      fetch(`${base}/v1/call-events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body }).then(
        async (res) => {
          const text = await res.text();
          offer.respondedAt = now();
          offer.status = res.status;
          if (res.status !== 200) offer.error = text.slice(0, 200);
        },
        (err: Error) => {
          offer.error = `${err.message}${err.cause ? `: ${(err.cause as Error).message ?? err.cause}` : ''}`;
        },
      ),
    );
    if (i % o.rate === 0) progress(`offered ${i}/${callers.length}`);
  }
  await Promise.all(pending);
  progress('\n');
  return offers;
}

/** Waits for the agents process's messages by type. */
export function childMessages(child: ReturnType<typeof fork>) {
  const got: ChildMessage[] = [];
  const waiting: Array<{ type: string; resolve: (m: ChildMessage) => void; reject: (e: Error) => void }> = [];
  child.on('message', (m: ChildMessage) => {
    if (m.type === 'fatal') return waiting.splice(0).forEach((w) => w.reject(new Error(`agents process: ${m.message}`)));
    const w = waiting.findIndex((x) => x.type === m.type);
    if (w >= 0) waiting.splice(w, 1)[0]!.resolve(m);
    else got.push(m);
  });
  child.on('exit', (code) => waiting.splice(0).forEach((w) => w.reject(new Error(`agents process exited (${code})`))));
  return {
    next(type: ChildMessage['type']): Promise<ChildMessage> {
      const i = got.findIndex((m) => m.type === type);
      if (i >= 0) return Promise.resolve(got.splice(i, 1)[0]!);
      return new Promise((resolve, reject) => waiting.push({ type, resolve, reject }));
    },
  };
}
