import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { createDatabase } from '../src/db/database.ts';
import { CuttableProxy } from '../test/helpers/cuttable-proxy.ts';
import { clearPopRun } from './bench-database.ts';
import type { ChildReport, DrainMessage, StartMessage } from './pop-agents.ts';
import { apiClient, childMessages, createAgents, DNIS, offerCalls, pickCallers, type Offer } from './pop.bench.ts';
import { startService, type ServiceProcess } from './pop-service.ts';
import { callLogCheck, dropRedisKeys } from './pop-store.ts';
import { percentiles } from './stats.ts';

export interface SoakBenchOptions {
  agents: number;
  rate: number;
  seconds: number;
  /** How long each outage lasts (PostgreSQL three times, Redis twice). */
  cutSeconds: number;
  redisUrl: string;
  /** A file for the service's whole output (to look into what the figures show). */
  serviceLogFile?: string;
}

const mib = (n: number) => `${n.toFixed(0)} MiB`;
const now = () => performance.timeOrigin + performance.now();
// An offer sent this soon after an outage ended still meets its effects (reconnects, retries).
const AFTER_CUT_GRACE_MS = 5000;

/**
 * Soak part of `npm run bench`: the service on the bench database and Redis, both behind TCP
 * proxies; calls offered at a steady rate through the call-event API, desktops answering and
 * wrapping up; PostgreSQL cut three times and Redis twice during the run. Prints whether anything
 * was lost, left open or answered 5xx outside the cuts, and how memory behaved.
 */
export async function benchSoak(url: string, o: SoakBenchOptions): Promise<void> {
  const database = createDatabase({ url, poolSize: 2 });
  const db = database.db;
  const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
  const redisPrefix = `soak-${randomBytes(4).toString('hex')}:`;
  const pg = await CuttableProxy.start(url);
  const redis = await CuttableProxy.start(o.redisUrl);
  let service: ServiceProcess | null = null;
  let agents: ReturnType<typeof fork> | null = null;
  const timers: NodeJS.Timeout[] = [];
  try {
    const callers = await pickCallers(db, Math.round(o.rate * o.seconds));
    service = await startService(
      { DATABASE_URL: pg.via(url), REDIS_URL: redis.via(o.redisUrl), REDIS_KEY_PREFIX: redisPrefix, SEED_DEMO: 'false', SCREENPOP_ADMIN_KEY: adminKey, LOG_LEVEL: 'warn' },
      [],
      o.serviceLogFile,
    );
    const api = apiClient(service.url, adminKey);
    await api('POST', '/v1/queues', { id: 'bench', name: 'Bench', skill: 'bench', dialledNumbers: [DNIS], ringTimeoutSeconds: 15, wrapUpSeconds: 0, maxWaitSeconds: 60 });
    const integratorKey = ((await api('POST', '/v1/api-keys', { name: 'soak PBX', role: 'integrator' })) as { key: string }).key;
    const agentKeys = await createAgents(api, o.agents);
    agents = fork(fileURLToPath(new URL('./pop-agents.ts', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const messages = childMessages(agents);
    agents.send({ type: 'start', url: service.url, agentKeys, integratorKey, disposition: 'resolved', ringMs: [200, 1000], talkMs: [1000, 4000] } satisfies StartMessage);
    await messages.next('ready');
    const rssStart = service.rssMiB();
    let rssPeak = rssStart;
    let down = 0;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, service!.rssMiB());
      if (!service!.alive()) down++;
    }, 1000);
    timers.push(sampler);

    // The outages, spread over the run: PostgreSQL at 10, 30, 50 %, Redis at 65 and 80 %.
    const cuts: Array<{ what: string; from: number; to: number }> = [];
    const t0 = now();
    for (const [what, at] of [['PostgreSQL', 0.1], ['PostgreSQL', 0.3], ['PostgreSQL', 0.5], ['Redis', 0.65], ['Redis', 0.8]] as const) {
      const proxy = what === 'PostgreSQL' ? pg : redis;
      const startMs = at * o.seconds * 1000;
      timers.push(setTimeout(() => proxy.cut(), startMs));
      timers.push(setTimeout(() => proxy.restore(), startMs + o.cutSeconds * 1000));
      cuts.push({ what, from: t0 + startMs, to: t0 + startMs + o.cutSeconds * 1000 });
    }
    console.log(`soak: ${o.rate} calls/s for ${o.seconds} s, ${o.agents} agents; outages of ${o.cutSeconds} s: ${cuts.map((c) => `${c.what} at ${((c.from - t0) / 1000).toFixed(0)} s`).join(', ')}`);

    const offers = await offerCalls(service.url, integratorKey, callers, o);
    const accepted = offers.filter((x) => x.status === 200);
    agents.send({ type: 'drain', expected: accepted.length, timeoutMs: 90_000 } satisfies DrainMessage);
    const report = (await messages.next('done')) as ChildReport;
    // Calls still ringing or waiting when the offers stopped end within max wait + ring timeout.
    for (let i = 0; i < 400; i++) {
      const open = await sql<{ n: number }>`SELECT count(*)::int AS n FROM calls WHERE ended_at IS NULL`.execute(db);
      if (open.rows[0]!.n === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    clearInterval(sampler);
    const rssEnd = service.rssMiB();

    const during = (x: Offer) => cuts.some((c) => x.sentAt >= c.from && x.sentAt <= c.to + AFTER_CUT_GRACE_MS);
    const inCuts = offers.filter(during);
    const outside = offers.filter((x) => !during(x));
    const fiveXX = (xs: Offer[]) => xs.filter((x) => (x.status ?? 0) >= 500).length;
    const noAnswer = (xs: Offer[]) => xs.filter((x) => x.status === undefined).length;
    const latency = (xs: Offer[]) => percentiles(xs.filter((x) => x.respondedAt).map((x) => x.respondedAt! - x.sentAt));
    const log = await callLogCheck(db, accepted.map((x) => x.externalId));

    console.log(`soak: offered ${offers.length}, accepted ${accepted.length}; call-log rows ${accepted.length - log.missing} (missing ${log.missing}, duplicates ${log.duplicates}), calls not closed ${log.open}`);
    console.log(`soak: process restarts/exits ${service.alive() ? 0 : 1} (seconds seen down ${down}); completed with wrap-up ${report.completed.length}, withdrawn ${report.withdrawn}`);
    console.log(`soak: 5xx outside the cuts ${fiveXX(outside)} of ${outside.length} (no answer ${noAnswer(outside)}); during the cuts ${fiveXX(inCuts)} of ${inCuts.length} (no answer ${noAnswer(inCuts)})`);
    console.log(`soak: offer answered outside the cuts: ${latency(outside)}`);
    console.log(`soak: offer answered during the cuts: ${latency(inCuts)}`);
    console.log(`soak: service RSS start ${mib(rssStart)}, peak ${mib(rssPeak)}, end ${mib(rssEnd)} (end/start ${((rssEnd / rssStart - 1) * 100).toFixed(0)} %)`);
    console.log(`soak: ${log.outcomes}`);
    if (log.open) {
      const open = await sql<{ id: string; external_id: string; status: string }>`SELECT id, external_id, status FROM calls WHERE ended_at IS NULL LIMIT 5`.execute(db);
      console.log(`soak: not closed: ${open.rows.map((r) => `${r.external_id} (${r.id}, ${r.status})`).join(', ')}`);
    }
    for (const [stage, e] of Object.entries(report.errors)) console.log(`soak: agents side ${stage} errors: ${e.count} (first: ${e.first})`);
    const levels = Object.entries(service.logs.byLevel);
    if (levels.length) console.log(`soak: service log lines ${levels.map(([l, n]) => `${l} ${n}`).join(', ')}`);
  } finally {
    timers.forEach(clearTimeout);
    pg.restore();
    redis.restore();
    if (agents && agents.exitCode === null) agents.kill();
    if (service) console.log(`soak: service stopped (${await service.stop()})`);
    await dropRedisKeys(o.redisUrl, redisPrefix);
    await clearPopRun(db).catch((err: Error) => console.log(`soak: clearing the run's calls and agents failed: ${err.message}`));
    await Promise.all([pg.close(), redis.close()]);
    await database.close();
  }
}
