import { io, type Socket } from 'socket.io-client';

// The agents' side of the pop bench, in its own process so that 1,000 desktops do not share the
// service's CPU accounting or event loop with the caller side. Started by pop.bench.ts with fork():
// parent → { type: 'start', ... } then { type: 'drain', ... }; child → 'ready', then 'done'.

export interface StartMessage {
  type: 'start';
  url: string;
  agentKeys: string[];
  integratorKey: string;
  disposition: string;
  /** Ring time (pop → answered) and talk time (answered → ended) ranges, ms. */
  ringMs: [number, number];
  talkMs: [number, number];
}
export interface DrainMessage {
  type: 'drain';
  /** Offers the service accepted: the child is done when it saw this many calls finish. */
  expected: number;
  timeoutMs: number;
}
export interface PopRecord {
  callId: string;
  externalId: string;
  /** Epoch ms (performance.timeOrigin + performance.now(): the same clock as the parent's). */
  at: number;
  bytes: number;
  attempt: number;
  /** How the caller matched (single, multiple, none, withheld, unavailable): the paths cost differently. */
  match: string;
}
export interface ChildReport {
  type: 'done';
  pops: PopRecord[];
  /** externalId → epoch ms the wrap-up was acknowledged (the agent is ready again). */
  completed: Array<[string, number]>;
  withdrawn: number;
  errors: Record<string, { count: number; first: string }>;
}
export type ChildMessage = { type: 'ready'; connected: number; ready: number; ms: number } | { type: 'fatal'; message: string } | ChildReport;

const now = () => performance.timeOrigin + performance.now();
const between = ([lo, hi]: [number, number]) => lo + Math.random() * (hi - lo);
const send = (m: ChildMessage) => process.send!(m);

const pops: PopRecord[] = [];
const completed = new Map<string, number>();
const errors: ChildReport['errors'] = {};
let withdrawn = 0;
let active = 0;
const sockets: Socket[] = [];
let cfg: StartMessage;
let drain: DrainMessage | null = null;

function fail(stage: string, message: string) {
  const e = (errors[stage] ??= { count: 0, first: message });
  e.count++;
}

/** As a PBX sends them: a 503 (a store blip) is sent again after its Retry-After, for up to a minute. */
async function callEvent(body: Record<string, unknown>): Promise<void> {
  const giveUpAt = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${cfg.url}/v1/call-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cfg.integratorKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status === 200) return;
    if (res.status !== 503 || Date.now() > giveUpAt) throw new Error(`${body.type}: HTTP ${res.status} ${text.slice(0, 200)}`);
    fail(`${body.type} retried`, `HTTP 503 ${text.slice(0, 120)}`);
    await sleep(Math.min(5, Number(res.headers.get('retry-after')) || 1) * 1000);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the PBX and the agent do with a call once its pop is on screen: answer, talk, hang up, wrap up. */
async function handle(socket: Socket, callId: string, externalId: string, cancelled: () => boolean) {
  active++;
  try {
    await sleep(between(cfg.ringMs));
    if (cancelled()) return;
    await callEvent({ type: 'answered', callId: externalId });
    await sleep(between(cfg.talkMs));
    await callEvent({ type: 'ended', callId: externalId, hangupBy: Math.random() < 0.5 ? 'caller' : 'agent' });
    const ack = (await socket.timeout(10_000).emitWithAck('call:wrap-up', { callId, disposition: cfg.disposition })) as { ok: boolean; error?: { message: string } };
    if (!ack.ok) throw new Error(`wrap-up: ${ack.error?.message}`);
    completed.set(externalId, now());
  } catch (err) {
    const e = err as Error;
    fail('call', `${e.message}${e.cause ? `: ${(e.cause as Error).message ?? e.cause}` : ''}`);
  } finally {
    active--;
    maybeDone();
  }
}

function agentSocket(key: string): Promise<Socket> {
  const socket = io(`${cfg.url}/agent`, { auth: { token: key }, transports: ['websocket'], reconnection: false, forceNew: true });
  let current: { callId: string; withdrawn: boolean } | null = null;
  socket.on('call:offered', (pop: { call: { id: string; externalId: string; attempt: number }; match: { outcome: string } }, ack: () => void) => {
    const at = now();
    ack();
    pops.push({ callId: pop.call.id, externalId: pop.call.externalId, at, bytes: Buffer.byteLength(JSON.stringify(pop)), attempt: pop.call.attempt, match: pop.match.outcome });
    const mine = { callId: pop.call.id, withdrawn: false };
    current = mine;
    void handle(socket, pop.call.id, pop.call.externalId, () => mine.withdrawn);
  });
  socket.on('call:withdrawn', (e: { callId: string }) => {
    withdrawn++;
    if (current?.callId === e.callId) current.withdrawn = true;
    // A ring timeout leaves the agent not ready ("missed"): back to ready, as a desktop user would.
    void socket.timeout(10_000).emitWithAck('agent:set-state', { status: 'ready' }).catch(() => {});
  });
  socket.on('disconnect', (reason) => {
    if (!drain) fail('disconnect', String(reason));
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(err));
  });
}

async function start(m: StartMessage) {
  cfg = m;
  const t0 = performance.now();
  let ready = 0;
  // A few at a time: a thousand handshakes at once would measure the accept queue, not the service.
  const queue = [...m.agentKeys];
  await Promise.all(
    Array.from({ length: 25 }, async () => {
      for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
        try {
          const socket = await agentSocket(key);
          sockets.push(socket);
          const ack = (await socket.timeout(10_000).emitWithAck('agent:set-state', { status: 'ready' })) as { ok: boolean; error?: { message: string } };
          if (ack.ok) ready++;
          else fail('ready', ack.error?.message ?? 'not ok');
        } catch (err) {
          fail('connect', (err as Error).message);
        }
      }
    }),
  );
  send({ type: 'ready', connected: sockets.length, ready, ms: performance.now() - t0 });
}

function maybeDone() {
  if (!drain || active > 0) return;
  const seen = new Set(pops.map((p) => p.externalId)).size;
  if (seen >= drain.expected) finish();
}

let finished = false;
function finish() {
  if (finished) return;
  finished = true;
  for (const s of sockets) s.disconnect();
  // Exits once the report is through the IPC pipe: a large report is still being written when send() returns.
  process.send!({ type: 'done', pops, completed: [...completed], withdrawn, errors } satisfies ChildReport, () => process.exit(0));
}

process.on('message', (m: StartMessage | DrainMessage) => {
  if (m.type === 'start') {
    start(m).catch((err) => send({ type: 'fatal', message: (err as Error).message }));
  } else if (m.type === 'drain') {
    drain = m;
    setTimeout(finish, m.timeoutMs).unref();
    maybeDone();
  }
});
process.on('disconnect', () => process.exit(0));
