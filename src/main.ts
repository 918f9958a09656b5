import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createContainer } from './container.ts';
import { createLogger } from './shared/logger.ts';

let config;
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
const container = await createContainer(config, logger);
const app = await buildApp(container);
await container.start();

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  // A stuck dependency must not keep a stopping node alive forever.
  const timer = setTimeout(() => process.exit(1), 15_000).unref();
  try {
    await app.close();
    await container.close();
  } finally {
    clearTimeout(timer);
  }
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

await app.listen({ host: config.host, port: config.port });
logger.info(
  { store: container.database.kind, state: container.live.kind === 'redis' ? 'redis' : 'in-process', node: container.nodeId, docs: `/docs` },
  `screenpop listening on http://${config.host}:${(app.server.address() as { port: number }).port}`,
);
