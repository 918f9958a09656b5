import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createContainer, type Container } from './container.ts';
import { createLogger } from './shared/logger.ts';
import { missingDependency, startupBackoffMs, StartupServer } from './startup.ts';

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(78); // EX_CONFIG
  }
  throw err;
}

const logger = createLogger(config.logLevel);
// A fault in a background task must cost that task, not every call on this node: logged, not fatal.
process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection (a background task failed)'));

let startup = null as StartupServer | null;
// Until the service proper serves, there is nothing to close gracefully.
let serving = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => serving || process.exit(0));

/**
 * The container, once PostgreSQL and Redis answer. Meanwhile a small server on the port answers
 * /health and /ready (503, naming what is missing); past STARTUP_TIMEOUT_SECONDS the node exits.
 */
async function connect(): Promise<Container> {
  const giveUpAt = config.startupTimeoutMs ? Date.now() + config.startupTimeoutMs : Infinity;
  for (let attempt = 0; ; attempt++) {
    try {
      return await createContainer(config, logger);
    } catch (err) {
      const missing = missingDependency(err);
      if (!missing) throw err;
      if (Date.now() + startupBackoffMs(attempt) > giveUpAt) {
        console.error(`screenpop: gave up after ${config.startupTimeoutMs / 1000} s waiting for ${missing.name}: ${missing.detail}`);
        process.exit(69); // EX_UNAVAILABLE
      }
      startup ??= await StartupServer.listen(config.host, config.port);
      startup.waitingFor(missing.name, missing.detail);
      logger.warn(
        { dependency: missing.name, detail: missing.detail, retryInMs: startupBackoffMs(attempt) },
        `waiting for ${missing.name} before starting; /health and /ready answer on http://${config.host}:${startup.port}`,
      );
      await new Promise((r) => setTimeout(r, startupBackoffMs(attempt)));
    }
  }
}

const container = await connect();
// From here a stop closes what was made (calls in flight get their outcome) instead of just exiting.
serving = true;
let app: Awaited<ReturnType<typeof buildApp>> | undefined;
let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  // A stuck dependency must not keep a stopping node alive forever.
  const timer = setTimeout(() => process.exit(1), 15_000).unref();
  try {
    await app?.close();
    await container.close();
  } finally {
    clearTimeout(timer);
  }
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

app = await buildApp(container);
await container.start();
const port = startup ? startup.port : config.port;
await startup?.close();

await app.listen({ host: config.host, port });
logger.info(
  { store: container.database.kind, state: container.live.kind === 'redis' ? 'redis' : 'in-process', node: container.nodeId, docs: `/docs` },
  `screenpop listening on http://${config.host}:${(app.server.address() as { port: number }).port}`,
);
