import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** Every environment variable screenpop reads. No other file reads `process.env`. */
const EnvSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  /** PostgreSQL connection string; when unset the embedded PGlite store under DATA_DIR is used. */
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_POOL_SIZE: Type.Integer({ default: 10, minimum: 1, maximum: 200 }),
  /** Longest wait to open a PostgreSQL connection or get a free one from the pool. */
  DATABASE_CONNECT_TIMEOUT_MS: Type.Integer({ default: 3000, minimum: 100, maximum: 60_000 }),
  /** Longest a statement may run; the server cancels it (and a silent server loses the connection a second later). */
  DATABASE_STATEMENT_TIMEOUT_MS: Type.Integer({ default: 5000, minimum: 100, maximum: 600_000 }),
  DATA_DIR: Type.String({ default: './data', minLength: 1 }),
  /** Redis connection string; when unset queue and agent state live in-process. */
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  /** Longest wait for one Redis command (and for a connection to open). */
  REDIS_COMMAND_TIMEOUT_MS: Type.Integer({ default: 2000, minimum: 100, maximum: 60_000 }),
  /** Start of every Redis key and channel, so several deployments (or test runs) can share one Redis. */
  REDIS_KEY_PREFIX: Type.String({ default: 'screenpop:', pattern: '^[A-Za-z0-9_.:{}-]{1,64}$' }),
  /** ISO 3166 country used to read national numbers ("(415) 555-0123" → US). */
  DEFAULT_COUNTRY: Type.String({ default: 'US', pattern: '^[A-Z]{2}$' }),
  /** Accepted as an admin API key (bootstrap for deployments and scripts). */
  SCREENPOP_ADMIN_KEY: Type.Optional(Type.String({ minLength: 16 })),
  /** Seed a small demo data set into an empty store at start ("auto" = only on the embedded store). */
  SEED_DEMO: Type.Union([Type.Literal('auto'), Type.Literal('true'), Type.Literal('false')], { default: 'auto' }),
  DISPOSITIONS: Type.String({ default: 'resolved,callback-requested,sale,complaint,no-action,wrong-number' }),
  NOT_READY_REASONS: Type.String({ default: 'break,lunch,meeting,training,missed,after-call-admin' }),
  DRACHTIO_HOST: Type.Optional(Type.String({ minLength: 1 })),
  DRACHTIO_PORT: Type.Integer({ default: 9022, minimum: 1, maximum: 65535 }),
  DRACHTIO_SECRET: Type.Optional(Type.String({ minLength: 1 })),
  /** A media server (SIP URI) whose early media callers hear while they wait; unset = ringback (180). */
  SIP_EARLY_MEDIA_URI: Type.Optional(Type.String({ pattern: '^sips?:[^\\s<>"]+$' })),
  /** Optional file of trunks to load at start (see sip-config/trunks.example.json). */
  TRUNKS_FILE: Type.Optional(Type.String({ minLength: 1 })),
  /** Comma-separated receivers of signed webhooks (call.offered, call.answered, call.ended, ticket.created). */
  WEBHOOK_URLS: Type.Optional(Type.String()),
  WEBHOOK_SECRET: Type.Optional(Type.String({ minLength: 16 })),
  /** A webhook delivery the receiver keeps refusing is retried (at most 5 minutes apart) for this long, then given up. */
  WEBHOOK_MAX_AGE_HOURS: Type.Integer({ default: 72, minimum: 1, maximum: 720 }),
  WEBHOOK_KEEP_DAYS: Type.Integer({ default: 14, minimum: 1, maximum: 3650 }),
  /** A pop never waits longer than this for the customer store; the call routes and says history is unavailable. */
  LOOKUP_TIMEOUT_MS: Type.Integer({ default: 1500, minimum: 50, maximum: 30_000 }),
  /** An offer not queued within this long (store or Redis slow) is refused with 503 and logged as failed; it never rings later. */
  OFFER_DEADLINE_MS: Type.Integer({ default: 5000, minimum: 500, maximum: 60_000 }),
  /** At start, how long to keep retrying an unreachable PostgreSQL or Redis before exiting (0 = keep trying). */
  STARTUP_TIMEOUT_SECONDS: Type.Integer({ default: 300, minimum: 0, maximum: 86_400 }),
  /** A ready agent with no desktop connected for this long goes not ready ("disconnected"). */
  AGENT_DISCONNECT_GRACE_SECONDS: Type.Integer({ default: 30, minimum: 1, maximum: 3600 }),
  /** This node's name; in the call log and among the cluster's nodes it is `<NODE_ID>#<run>`, a new run id per start (default name host-pid-random). Unique among running nodes. */
  NODE_ID: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,80}$' })),
});

type Env = Static<typeof EnvSchema>;

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly logLevel: Env['LOG_LEVEL'];
  readonly database: { readonly url?: string; readonly poolSize: number; readonly dataDir: string; readonly timeouts: { readonly connectMs: number; readonly statementMs: number } };
  readonly redisUrl?: string;
  readonly redisCommandTimeoutMs: number;
  readonly redisKeyPrefix: string;
  readonly defaultCountry: string;
  readonly adminKey?: string;
  readonly seedDemo: boolean;
  readonly dispositions: readonly string[];
  readonly notReadyReasons: readonly string[];
  readonly drachtio?: { readonly host: string; readonly port: number; readonly secret: string; readonly earlyMediaUri?: string };
  readonly trunksFile?: string;
  readonly webhooks: { readonly urls: readonly string[]; readonly secret?: string; readonly maxAgeMs: number; readonly keepMs: number };
  readonly lookupTimeoutMs: number;
  readonly offerDeadlineMs: number;
  readonly startupTimeoutMs: number;
  readonly agentDisconnectGraceMs: number;
  readonly nodeId?: string;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

/** Checks the environment once and returns a frozen config; every bad variable is listed in one error. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.keys(EnvSchema.properties);
  const raw: Record<string, unknown> = {};
  for (const key of known) {
    const v = env[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const withDefaults = Value.Default(EnvSchema, Value.Convert(EnvSchema, raw));
  const problems = [...Value.Errors(EnvSchema, withDefaults)].map(
    (e) => `${e.path.slice(1) || '(root)'}: ${e.message}${e.path.includes('SECRET') || e.path.includes('KEY') ? '' : ` (got ${JSON.stringify(e.value)})`}`,
  );
  const e = withDefaults as Env;
  if ((e.DRACHTIO_HOST === undefined) !== (e.DRACHTIO_SECRET === undefined)) {
    problems.push('DRACHTIO_HOST and DRACHTIO_SECRET must be set together');
  }
  const webhookUrls = list(e.WEBHOOK_URLS ?? '');
  for (const u of webhookUrls) {
    if (!/^https?:\/\/[^\s]+$/.test(u) || !URL.canParse(u)) problems.push(`WEBHOOK_URLS: "${u}" is not an http(s) URL`);
  }
  if (webhookUrls.length && !e.WEBHOOK_SECRET) problems.push('WEBHOOK_SECRET must be set when WEBHOOK_URLS is (deliveries are signed with it)');
  if (e.WEBHOOK_KEEP_DAYS * 24 <= e.WEBHOOK_MAX_AGE_HOURS) problems.push('WEBHOOK_KEEP_DAYS must be longer than WEBHOOK_MAX_AGE_HOURS (given-up deliveries would be deleted as soon as they are given up)');
  if (problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    database: Object.freeze({
      url: e.DATABASE_URL,
      poolSize: e.DATABASE_POOL_SIZE,
      dataDir: e.DATA_DIR,
      timeouts: Object.freeze({ connectMs: e.DATABASE_CONNECT_TIMEOUT_MS, statementMs: e.DATABASE_STATEMENT_TIMEOUT_MS }),
    }),
    redisUrl: e.REDIS_URL,
    redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    defaultCountry: e.DEFAULT_COUNTRY,
    adminKey: e.SCREENPOP_ADMIN_KEY,
    seedDemo: e.SEED_DEMO === 'auto' ? e.DATABASE_URL === undefined : e.SEED_DEMO === 'true',
    dispositions: Object.freeze(list(e.DISPOSITIONS)),
    notReadyReasons: Object.freeze(list(e.NOT_READY_REASONS)),
    drachtio:
      e.DRACHTIO_HOST && e.DRACHTIO_SECRET
        ? Object.freeze({ host: e.DRACHTIO_HOST, port: e.DRACHTIO_PORT, secret: e.DRACHTIO_SECRET, earlyMediaUri: e.SIP_EARLY_MEDIA_URI })
        : undefined,
    trunksFile: e.TRUNKS_FILE,
    webhooks: Object.freeze({ urls: Object.freeze(webhookUrls), secret: e.WEBHOOK_SECRET, maxAgeMs: e.WEBHOOK_MAX_AGE_HOURS * 3_600_000, keepMs: e.WEBHOOK_KEEP_DAYS * 86_400_000 }),
    lookupTimeoutMs: e.LOOKUP_TIMEOUT_MS,
    offerDeadlineMs: e.OFFER_DEADLINE_MS,
    startupTimeoutMs: e.STARTUP_TIMEOUT_SECONDS * 1000,
    agentDisconnectGraceMs: e.AGENT_DISCONNECT_GRACE_SECONDS * 1000,
    nodeId: e.NODE_ID,
  });
}
