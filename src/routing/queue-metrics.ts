// Queue metrics: pure functions over call records. All times are injected ms timestamps.

export type CallOutcome = 'answered' | 'abandoned' | 'overflowed' | 'waiting' | 'ringing';

export interface CallRecord {
  readonly queueId: string;
  /** When the call entered (or was presented to) the queue, ms. Also the enqueue time for waiting calls. */
  readonly offeredAt: number;
  readonly answeredAt?: number;
  readonly endedAt?: number;
  readonly outcome: CallOutcome;
  /** `false` = never entered the queue (overflowed, hung up or failed before it): not offered. Absent counts as queued. */
  readonly queued?: boolean;
  readonly waitSeconds?: number;
  readonly talkSeconds?: number;
  readonly wrapSeconds?: number;
  readonly agentId?: string;
}

export interface QueueThresholds {
  readonly slThresholdSeconds: number;
  readonly shortAbandonSeconds: number;
}

export interface QueueMetrics {
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
  readonly abandonedCalls: readonly CallRecord[];
  /** Abandoned with wait <= shortAbandonSeconds; these are still included in `abandoned`. */
  readonly shortAbandoned: number;
  readonly answeredWithinThreshold: number;
  /** answered within threshold (wait <= threshold) / answered; null when nothing answered. */
  readonly serviceLevel: number | null;
  /** abandoned / offered; null when nothing offered. */
  readonly abandonmentRate: number | null;
  /** Mean wait of answered calls, seconds; null when nothing answered. */
  readonly asaSeconds: number | null;
  /** Calls answered and finished (talkSeconds known). */
  readonly handled: number;
  /** mean(talk + wrap) over handled calls, seconds; null when none handled. */
  readonly ahtSeconds: number | null;
  /** Outcome 'waiting' calls. */
  readonly waiting: number;
  /** (now - offeredAt) of the oldest waiting caller, seconds; null when none waiting. */
  readonly longestWaitSeconds: number | null;
}

export interface AgentHandleMetrics {
  readonly handled: number;
  readonly ahtSeconds: number;
}

/** Whether the call entered the queue; a call that ended before it did (any outcome) is not offered to it. */
export function isOffered(record: CallRecord): boolean {
  return record.queued !== false;
}

/** Wait in seconds: explicit `waitSeconds`, else answeredAt (answered) or endedAt (abandoned) − offeredAt. */
export function waitOf(record: CallRecord): number | null {
  if (record.waitSeconds !== undefined) return record.waitSeconds;
  const end = record.outcome === 'answered' ? record.answeredAt : record.endedAt;
  return end === undefined ? null : (end - record.offeredAt) / 1000;
}

function isHandled(record: CallRecord): boolean {
  return record.outcome === 'answered' && record.talkSeconds !== undefined;
}

function handleTime(record: CallRecord): number {
  return (record.talkSeconds ?? 0) + (record.wrapSeconds ?? 0);
}

function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Metrics over `records` (filter to one queue first, or use `computeMetricsByQueue`). */
export function computeQueueMetrics(records: readonly CallRecord[], queue: QueueThresholds, now: number): QueueMetrics {
  const offeredCalls = records.filter(isOffered);
  const answeredCalls = offeredCalls.filter((r) => r.outcome === 'answered');
  const abandonedCalls = offeredCalls.filter((r) => r.outcome === 'abandoned');
  const waitingCalls = offeredCalls.filter((r) => r.outcome === 'waiting');
  const handledCalls = answeredCalls.filter(isHandled);

  const answeredWaits = answeredCalls.map((r) => waitOf(r) ?? 0);
  const answeredWithinThreshold = answeredWaits.filter((w) => w <= queue.slThresholdSeconds).length;
  const shortAbandoned = abandonedCalls.filter((r) => {
    const w = waitOf(r);
    return w !== null && w <= queue.shortAbandonSeconds;
  }).length;

  let oldest: number | null = null;
  for (const r of waitingCalls) if (oldest === null || r.offeredAt < oldest) oldest = r.offeredAt;

  return {
    offered: offeredCalls.length,
    answered: answeredCalls.length,
    abandoned: abandonedCalls.length,
    abandonedCalls,
    shortAbandoned,
    answeredWithinThreshold,
    serviceLevel: answeredCalls.length === 0 ? null : answeredWithinThreshold / answeredCalls.length,
    abandonmentRate: offeredCalls.length === 0 ? null : abandonedCalls.length / offeredCalls.length,
    asaSeconds: mean(answeredWaits),
    handled: handledCalls.length,
    ahtSeconds: mean(handledCalls.map(handleTime)),
    waiting: waitingCalls.length,
    longestWaitSeconds: oldest === null ? null : Math.max(0, (now - oldest) / 1000),
  };
}

/** Per-queue metrics; queues without thresholds in `queues` are skipped. */
export function computeMetricsByQueue(
  records: readonly CallRecord[],
  queues: Readonly<Record<string, QueueThresholds>>,
  now: number,
): Map<string, QueueMetrics> {
  const grouped = new Map<string, CallRecord[]>();
  for (const id of Object.keys(queues)) grouped.set(id, []);
  for (const r of records) grouped.get(r.queueId)?.push(r);
  const out = new Map<string, QueueMetrics>();
  for (const [id, list] of grouped) {
    const thresholds = queues[id];
    if (thresholds) out.set(id, computeQueueMetrics(list, thresholds, now));
  }
  return out;
}

/** AHT per agent over handled calls (answered, talkSeconds known, agentId set). */
export function ahtByAgent(records: readonly CallRecord[]): Map<string, AgentHandleMetrics> {
  const totals = new Map<string, { handled: number; total: number }>();
  for (const r of records) {
    if (!isHandled(r) || r.agentId === undefined) continue;
    const t = totals.get(r.agentId) ?? { handled: 0, total: 0 };
    t.handled += 1;
    t.total += handleTime(r);
    totals.set(r.agentId, t);
  }
  const out = new Map<string, AgentHandleMetrics>();
  for (const [id, t] of totals) out.set(id, { handled: t.handled, ahtSeconds: t.total / t.handled });
  return out;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Local wall-clock time of `t` in `timeZone`, expressed as if it were UTC (ms, second precision). */
function wallClockAsUtc(t: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(t)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return Date.UTC(
    parts['year'] ?? 1970,
    (parts['month'] ?? 1) - 1,
    parts['day'] ?? 1,
    parts['hour'] ?? 0,
    parts['minute'] ?? 0,
    parts['second'] ?? 0,
  );
}

function localDayKey(t: number, timeZone: string): number {
  const w = wallClockAsUtc(t, timeZone);
  return w - (((w % DAY_MS) + DAY_MS) % DAY_MS);
}

/**
 * First instant of the local calendar day containing `now` in the IANA `timeZone` (normally local
 * midnight; 01:00 where midnight falls in a DST gap). Throws RangeError for an unknown zone.
 */
export function startOfToday(now: number, timeZone: string): number {
  const dayUtc = localDayKey(now, timeZone); // local date at 00:00, as if UTC
  const offsetAt = (t: number): number => wallClockAsUtc(t, timeZone) - Math.floor(t / 1000) * 1000;
  const candidates = new Set<number>();
  for (const probe of [dayUtc - DAY_MS, dayUtc, dayUtc + DAY_MS, now]) {
    candidates.add(dayUtc - offsetAt(probe));
  }
  let best: number | null = null;
  for (const c of candidates) {
    if (localDayKey(c, timeZone) === dayUtc && (best === null || c < best)) best = c;
  }
  // Fallback (should not happen): scan back hour by hour.
  if (best === null) {
    let t = now - (now % 3_600_000);
    while (localDayKey(t - 3_600_000, timeZone) === dayUtc) t -= 3_600_000;
    best = t;
  }
  return best;
}
