// npm run call -- --from "+1 415 555 0123" [--to 8000] — offers a call to a running screenpop
// through the call-event API, the way a PBX would, and says what became of it.
// Knobs of its own (a CLI may read them): PORT, DATA_DIR, SCREENPOP_KEY.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_KEYS_FILE, readDemoKeys } from '../demo/demo-keys.ts';

const USAGE = `usage: npm run call -- --from <number> [--to 8000] [--name <caller name>] [--withheld]
                      [--answer-after <s>] [--hangup-after <s>] [--id <call id>] [--url <screenpop url>] [--key <integrator key>]

  --from           the caller's number, in any format ("+1 415 555 0123" is the demo's Ada Lovelace)
  --to             the dialled number; it picks the queue (demo: 8000 support, 8100 sales)
  --withheld       the caller withheld their number (--from is then not needed)
  --answer-after   once an agent's phone rings, answer after this many seconds
  --hangup-after   the caller hangs up this many seconds after the answer (or after the offer when not answered)
  --url            default http://127.0.0.1:$PORT (3000)
  --key            default $SCREENPOP_KEY, else the integrator key in $DATA_DIR/${DEMO_KEYS_FILE} (./data)`;

class CliError extends Error {}

function usage(problem: string): never {
  console.error(`${problem}\n\n${USAGE}`);
  process.exit(2);
}

function seconds(name: string, v: string | undefined): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  if (!v.trim() || !Number.isFinite(n) || n < 0 || n > 3600) usage(`--${name} takes seconds between 0 and 3600 (got "${v}")`);
  return n;
}

const OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string', default: '8000' },
  name: { type: 'string' },
  withheld: { type: 'boolean', default: false },
  url: { type: 'string' },
  key: { type: 'string' },
  'answer-after': { type: 'string' },
  'hangup-after': { type: 'string' },
  id: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function parse() {
  try {
    return parseArgs({ options: OPTIONS }).values;
  } catch (err) {
    return usage((err as Error).message);
  }
}
const args = parse();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!args.from && !args.withheld) usage('Say who calls: --from <number>, or --withheld');
const answerAfter = seconds('answer-after', args['answer-after']);
const hangupAfter = seconds('hangup-after', args['hangup-after']);
const baseUrl = (args.url ?? `http://127.0.0.1:${process.env.PORT || 3000}`).replace(/\/+$/, '');
const externalId = args.id ?? `cli-${randomUUID()}`;
const keysFile = join(process.env.DATA_DIR || './data', DEMO_KEYS_FILE);

async function apiKey(): Promise<string> {
  if (args.key) return args.key;
  if (process.env.SCREENPOP_KEY) return process.env.SCREENPOP_KEY;
  const keys = await readDemoKeys(keysFile);
  if (keys) return keys.integrator.key;
  throw new CliError(
    `No API key. Pass --key <integrator key>, set SCREENPOP_KEY, or start screenpop once on an empty embedded store (npm start) so it writes its demo keys to ${keysFile}.`,
  );
}

interface CallView {
  id: string;
  status: string;
  queueId: string | null;
  agentId: string | null;
  customerId: number | null;
  matchOutcome: string;
}

async function api<T>(key: string, method: 'GET' | 'POST', path: string, body?: object): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED') throw new CliError(`screenpop is not running at ${baseUrl}. Start it with npm start (or pass --url).`);
    throw new CliError(`Could not reach screenpop at ${baseUrl}: ${(err as Error).message}`);
  }
  const payload = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  if (res.ok) return payload as T;
  const e = payload?.error ?? { code: `HTTP_${res.status}`, message: res.statusText };
  if (res.status === 401) {
    throw new CliError(`The key was refused (${e.code}: ${e.message}). Demo keys belong to the store that wrote ${keysFile}; a new data directory makes new keys.`);
  }
  if (res.status === 403) throw new CliError(`This key may not do that (${e.code}: ${e.message}). Call events need an integrator (or admin) key.`);
  throw new CliError(`${method} ${path} answered ${res.status} ${e.code}: ${e.message}`);
}

const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));
const FINAL = new Set(['ended', 'abandoned', 'overflowed', 'failed']);

async function main() {
  const key = await apiKey();
  const event = (type: string, extra: object = {}) => api<CallView>(key, 'POST', '/v1/call-events', { type, callId: externalId, ...extra });

  const offered = await event('offered', {
    ...(args.from && !args.withheld ? { from: args.from } : {}),
    to: args.to,
    ...(args.name ? { callerName: args.name } : {}),
    ...(args.withheld ? { withheld: true } : {}),
  });
  // From here on the call is live: Ctrl-C hangs it up rather than leaving it ringing.
  process.once('SIGINT', () => {
    void event('ended', { hangupBy: 'caller' }).finally(() => process.exit(130));
  });
  const who = offered.customerId ? (await api<{ display_name: string }>(key, 'GET', `/v1/customers/${offered.customerId}`)).display_name : null;
  console.log(`call ${offered.id} (call id ${externalId}) → queue ${offered.queueId}: ${offered.status}`);
  console.log(`caller match: ${offered.matchOutcome}${who ? ` — ${who}` : ''}`);

  const agents = new Map((await api<{ id: string; name: string }[]>(key, 'GET', '/v1/agents')).map((a) => [a.id, a.name]));
  const agentName = (id: string | null) => (id ? `${agents.get(id) ?? 'agent'} (agent ${id})` : 'no agent');
  // Wait for an agent's phone to ring: a moment when only reporting, as long as it takes when asked to answer.
  const started = Date.now();
  let call = offered;
  let saidWaiting = false;
  while (call.status === 'offered' || call.status === 'queued') {
    if (Date.now() - started > 2000) {
      if (answerAfter === null) break;
      if (!saidWaiting) console.log(`waiting in queue ${call.queueId} for a ready agent (connect a desktop and go ready)…`);
      saidWaiting = true;
    }
    await sleep(0.1);
    call = await api<CallView>(key, 'GET', `/v1/calls/${offered.id}`);
  }
  if (call.status === 'ringing') console.log(`ringing ${agentName(call.agentId)}: their desktop shows the pop`);
  else if (FINAL.has(call.status)) throw new CliError(`the call ended before an agent answered: ${call.status}`);
  else if (call.status === 'answered') console.log(`answered by ${agentName(call.agentId)}`);
  else console.log(`waiting in queue ${call.queueId}: no agent is ready (connect a desktop and go ready; see README)`);

  if (answerAfter !== null && call.status === 'ringing') {
    await sleep(answerAfter);
    call = await event('answered');
    console.log(`answered by ${agentName(call.agentId)}`);
  }
  if (hangupAfter !== null) {
    await sleep(hangupAfter);
    call = await event('ended', { hangupBy: 'caller' });
    console.log(`caller hung up: ${call.status}`);
  } else if (!FINAL.has(call.status)) {
    console.log(
      answerAfter === null
        ? 'Nothing more is sent: the call stays live until it rings out or its max wait passes. --answer-after 2 --hangup-after 20 plays a whole call.'
        : 'The call stays on until a call event ends it: add --hangup-after <s> to have the caller hang up.',
    );
  }
}

try {
  await main();
  process.exit(0);
} catch (err) {
  console.error(err instanceof CliError ? err.message : err);
  process.exit(1);
}
