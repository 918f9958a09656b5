import { randomBytes } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Config } from './config.ts';
import { createDatabase, type Database } from './db/database.ts';
import { migrate, readMigrations } from './db/migrator.ts';
import { ApiKeyService } from './auth/api-key.service.ts';
import { AgentStateHistory } from './audit/agent-state-history.ts';
import { CustomerService } from './customers/customer.service.ts';
import { CrossSellService } from './cross-sell/cross-sell.service.ts';
import { seedDemo } from './demo/demo.ts';
import { DEMO_KEYS_FILE } from './demo/demo-keys.ts';
import { CallLog } from './calls/call-log.ts';
import { CallRecovery, runNodeId } from './calls/call-recovery.ts';
import { CallService } from './calls/call.service.ts';
import { CallWritebackService } from './calls/call-writeback.service.ts';
import { lateNotifier } from './calls/late-notifier.ts';
import { FollowUpService } from './follow-ups/follow-up.service.ts';
import { databaseCheck, redisCheck, type ReadinessCheck } from './health/health.routes.ts';
import { Metrics } from './metrics/metrics.ts';
import { Realtime } from './realtime/realtime.server.ts';
import { AgentService } from './routing/agent.service.ts';
import { Dispatcher } from './routing/dispatcher.ts';
import { MemoryBus, type Bus } from './routing/live/bus.ts';
import type { LiveState } from './routing/live/live-state.ts';
import { MemoryLiveState } from './routing/live/memory-live-state.ts';
import { RedisBus } from './routing/live/redis-bus.ts';
import { connectRedis } from './routing/live/redis-connections.ts';
import { RedisLiveState } from './routing/live/redis-live-state.ts';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { QueueService } from './routing/queue.service.ts';
import { systemActor } from './auth/actor.ts';
import { ClickToDialService } from './sip/click-to-dial.service.ts';
import { SipGateway } from './sip/sip-gateway.ts';
import { TrunkService } from './sip/trunk.service.ts';
import { readTrunksFile } from './sip/trunks-file.ts';
import { TicketService } from './tickets/ticket.service.ts';
import { WallboardService } from './wallboard/wallboard.service.ts';
import { WebhookDispatcher, type WebhookDispatcherOptions } from './webhooks/webhook.dispatcher.ts';
import { countPendingWebhooks } from './webhooks/webhook.repository.ts';
import type { Logger } from './shared/logger.ts';

/**
 * Every infrastructure client and service, made in one place. `close()` shuts them down in
 * reverse order of creation. Tests build one with their own database and config.
 */
export interface Container {
  readonly config: Config;
  readonly logger: Logger;
  readonly nodeId: string;
  readonly database: Database;
  readonly live: LiveState;
  readonly bus: Bus;
  readonly metrics: Metrics;
  readonly apiKeys: ApiKeyService;
  readonly customers: CustomerService;
  readonly queues: QueueService;
  readonly agents: AgentService;
  readonly crossSell: CrossSellService;
  readonly dispatcher: Dispatcher;
  readonly calls: CallService;
  readonly writeback: CallWritebackService;
  readonly tickets: TicketService;
  readonly followUps: FollowUpService;
  readonly wallboard: WallboardService;
  readonly recovery: CallRecovery;
  readonly trunks: TrunkService;
  /** The SIP gateway; null when DRACHTIO_HOST/DRACHTIO_SECRET are not set. */
  readonly sip: SipGateway | null;
  readonly dialer: ClickToDialService;
  readonly readiness: ReadinessCheck[];
  /** socket.io on the HTTP server (the app makes it once it has its server, and closes it). */
  attachRealtime(server: HttpServer): Realtime;
  /** Starts the background loops (dispatch safety net, heartbeat, recovery); main and tests call it. */
  start(): Promise<void>;
  /** Closes the live calls with an outcome, then every client in reverse order. */
  close(): Promise<void>;
}

export interface ContainerOptions {
  /** An already-open database (tests); otherwise one is opened from config. */
  database?: Database;
  /** Shared live state and bus (tests); otherwise made from config. */
  live?: LiveState;
  bus?: Bus;
  /** Webhook delivery timing (tests use short retries instead of real minutes). */
  webhookTuning?: Omit<WebhookDispatcherOptions, 'secret' | 'maxAgeMs' | 'keepMs'>;
  /** Where the demo keys go; default `<DATA_DIR>/demo-keys.json`, but nowhere when `database` is handed in. */
  demoKeysFile?: string;
}

const HEARTBEAT_MS = 5000;
const NODE_TTL_MS = 20_000;

export async function createContainer(config: Config, logger: Logger, opts: ContainerOptions = {}): Promise<Container> {
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const fn of closers.reverse()) await fn().catch((err) => logger.error({ err }, 'close failed'));
    closers.length = 0;
  };
  try {
    // Without NODE_ID the name itself is unique per process (replicas may share a hostname and a pid).
    const nodeId = runNodeId(config.nodeId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`, randomBytes(3).toString('hex'));
    const database = opts.database ?? createDatabase(config.database);
    if (!opts.database) closers.push(() => database.close());
    const applied = await migrate(database);
    if (applied.length) logger.info({ applied, store: database.kind }, 'migrations applied');
    const migrations = (await readMigrations()).map((m) => m.name);
    const db = database.db;

    const metrics = new Metrics();
    // With REDIS_URL this node is one of a cluster: live state, bus and socket.io rooms go through Redis.
    const redis = config.redisUrl && !(opts.live && opts.bus) ? await connectRedis(config.redisUrl, logger.child({ part: 'redis' }), { commandTimeoutMs: config.redisCommandTimeoutMs }) : null;
    if (redis) closers.push(() => redis.close());
    const onError = () => metrics.liveStateErrors.inc();
    const prefix = config.redisKeyPrefix;
    const live = opts.live ?? (redis ? new RedisLiveState(redis.command, { prefix, onError }) : new MemoryLiveState());
    if (!opts.live) closers.push(() => live.close());
    const bus =
      opts.bus ??
      (redis
        ? await RedisBus.connect({ nodeId, publisher: redis.command, subscriber: redis.subscriber, prefix, log: logger.child({ part: 'bus' }), onError })
        : new MemoryBus(nodeId));
    if (!opts.bus) closers.push(() => bus.close());

    const apiKeys = new ApiKeyService(db, config.adminKey);
    const customers = new CustomerService(db, { defaultCountry: config.defaultCountry });
    const queues = new QueueService(db, { defaultCountry: config.defaultCountry });
    const agents = new AgentService(db, live, apiKeys, { notReadyReasons: config.notReadyReasons });
    const crossSell = new CrossSellService(db);
    const trunks = new TrunkService(db, queues, { defaultCountry: config.defaultCountry });
    await Promise.all([queues.reload(), agents.reload(), crossSell.reload(), trunks.reload()]);
    // A change on one node reloads the cached copies on every node.
    queues.onChange = () => void bus.broadcast({ type: 'directory-changed', what: 'queues' });
    agents.onChange = () => void bus.broadcast({ type: 'directory-changed', what: 'agents' });
    crossSell.onChange = () => void bus.broadcast({ type: 'directory-changed', what: 'cross-sell' });
    apiKeys.onRevoked((keyId) => void bus.broadcast({ type: 'key-revoked', keyId }));
    trunks.onChange = () => void bus.broadcast({ type: 'directory-changed', what: 'trunks' });
    bus.onMessage((msg) => {
      if (msg.type === 'key-revoked') apiKeys.forget(msg.keyId);
      if (msg.type !== 'directory-changed') return;
      const reload = { queues, agents, 'cross-sell': crossSell, trunks }[msg.what].reload();
      reload.catch((err) => logger.error({ err, what: msg.what }, 'reloading a cached directory failed'));
    });

    const notifier = lateNotifier();
    // The call log writes on connections of its own: a lookup on the call path never waits behind them.
    const logDatabase = !opts.database && database.kind === 'postgres' && config.database.url ? createDatabase({ ...config.database, poolSize: Math.max(2, Math.ceil(config.database.poolSize / 2)) }) : null;
    if (logDatabase) closers.push(() => logDatabase.close());
    const callLog = new CallLog(logDatabase?.db ?? db, logger.child({ part: 'call-log' }));
    callLog.onStoreError = () => metrics.storeErrors.inc();
    // Off the call path like the call log; closed after the calls (their last changes) and before the store.
    const stateHistory = new AgentStateHistory(logDatabase?.db ?? db, logger.child({ part: 'state-history' }));
    stateHistory.onStoreError = () => metrics.storeErrors.inc();
    closers.push(() => stateHistory.close());
    agents.onStateChange((agentId, state, previous, actor) => stateHistory.record(agentId, state, previous, actor));
    const dispatcher = new Dispatcher(live, agents, queues, bus, logger.child({ part: 'dispatch' }));
    dispatcher.onStateError = () => metrics.liveStateErrors.inc();
    const calls = new CallService({
      db,
      live,
      bus,
      agents,
      queues,
      crossSell,
      dispatcher,
      notifier,
      callLog,
      metrics,
      log: logger.child({ part: 'calls' }),
      match: { customers, defaultCountry: config.defaultCountry, timeoutMs: config.lookupTimeoutMs },
      webhookUrls: config.webhooks.urls,
      offerDeadlineMs: config.offerDeadlineMs,
    });
    closers.push(() => calls.shutdown());
    if (config.trunksFile) {
      const declared = await trunks.declare(systemActor('trunks-file'), await readTrunksFile(config.trunksFile));
      logger.info({ file: config.trunksFile, created: declared.created, updated: declared.updated }, 'trunks file loaded');
      if (declared.unknownQueues.length) logger.warn({ queues: declared.unknownQueues }, 'trunks file maps dialled numbers to queues that do not exist (yet)');
    }
    const sip = config.drachtio ? new SipGateway(config.drachtio, { calls, trunks, live, log: logger.child({ part: 'sip' }) }) : null;
    if (!sip) logger.info('SIP is off: set DRACHTIO_HOST and DRACHTIO_SECRET to take calls from drachtio-server');
    const dialer = new ClickToDialService({ db, sip, agents, trunks, customers, queues, callLog, live, log: logger.child({ part: 'click-to-dial' }), nodeId });
    // Live calls are closed (BYE, 503) while drachtio-server is still connected; then the connection goes.
    closers.push(async () => {
      await calls.shutdown();
      await dialer.shutdown();
      await sip?.close();
    });
    agents.onStateChange((agentId, state) => {
      notifier.agentState(agentId, state);
      if (state.status === 'ready') dispatcher.dispatchForAgent(agentId);
    });
    const writeback = new CallWritebackService(db, { calls, callLog, agents, queues, crossSell, notifier, dispositions: config.dispositions });
    const tickets = new TicketService(db, config.webhooks.urls);
    const followUps = new FollowUpService(db, agents);
    if (config.seedDemo) {
      const keysFile = opts.demoKeysFile ?? (opts.database ? null : join(config.database.dataDir, DEMO_KEYS_FILE));
      await seedDemo({ db, log: logger, defaultCountry: config.defaultCountry, customers, queues, agents, apiKeys, crossSell, tickets, followUps }, keysFile);
    }
    const wallboard = new WallboardService(db, live, queues, agents, logger.child({ part: 'wallboard' }));
    const recovery = new CallRecovery({ db, live, agents, queues, calls, log: logger.child({ part: 'recovery' }), nodeId, webhookUrls: config.webhooks.urls });
    metrics.setSources({
      agentsByState: async () => {
        const counts: Record<string, number> = {};
        for (const { state } of (await agents.states(agents.all().map((a) => a.id))).values()) counts[state.status] = (counts[state.status] ?? 0) + 1;
        return counts;
      },
      outboxDepth: () => countPendingWebhooks(db),
    });

    let realtime: Realtime | null = null;
    let heartbeat: NodeJS.Timeout | undefined;
    return {
      config,
      logger,
      nodeId,
      database,
      live,
      bus,
      metrics,
      apiKeys,
      customers,
      queues,
      agents,
      crossSell,
      dispatcher,
      calls,
      writeback,
      tickets,
      followUps,
      wallboard,
      recovery,
      trunks,
      sip,
      dialer,
      readiness: [databaseCheck(database, migrations), ...(redis ? [redisCheck(redis.command, redis.subscriber)] : []), ...(sip ? [sip.readiness()] : [])],
      attachRealtime(server) {
        if (realtime) return realtime;
        realtime = new Realtime(server, {
          db,
          apiKeys,
          agents,
          queues,
          calls,
          writeback,
          tickets,
          followUps,
          wallboard,
          bus,
          log: logger.child({ part: 'realtime' }),
          dispositions: config.dispositions,
          disconnectGraceMs: config.agentDisconnectGraceMs,
          // Rooms and acks across nodes, and missed events kept for a desktop that reconnects to any node.
          // Made here, not earlier: the adapter opens two more connections (stream reader, subscriber)
          // at once and closes them only when Realtime closes its namespaces.
          ...(redis
            ? {
                adapter: createAdapter(redis.sockets, {
                  streamName: `${config.redisKeyPrefix}socket.io`,
                  channelPrefix: `${config.redisKeyPrefix}socket.io`,
                  sessionKeyPrefix: `${config.redisKeyPrefix}sio:session:`,
                  blockTimeInMs: 2000,
                }),
              }
            : {}),
        });
        notifier.target = realtime;
        return realtime;
      },
      async start() {
        await live.heartbeat(nodeId, NODE_TTL_MS);
        heartbeat = setInterval(() => void live.heartbeat(nodeId, NODE_TTL_MS).catch(() => metrics.liveStateErrors.inc()), HEARTBEAT_MS);
        heartbeat.unref();
        closers.push(async () => clearInterval(heartbeat));
        const recovered = await recovery.sweep();
        if (recovered) logger.warn({ calls: recovered }, 'closed calls left open by a node that is gone');
        recovery.start(30_000);
        dispatcher.start();
        sip?.start();
        closers.push(async () => {
          recovery.stop();
          dispatcher.stop();
        });
        if (config.webhooks.urls.length && config.webhooks.secret) {
          const webhooks = new WebhookDispatcher(db, { ...opts.webhookTuning, secret: config.webhooks.secret, maxAgeMs: config.webhooks.maxAgeMs, keepMs: config.webhooks.keepMs }, logger.child({ part: 'webhooks' }));
          webhooks.onOutcome = (outcome, n) => metrics.webhookDeliveries.inc({ outcome }, n);
          webhooks.start();
          closers.push(() => webhooks.stop());
        }
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
