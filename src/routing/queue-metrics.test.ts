import { describe, it, expect } from 'vitest';
import { computeQueueMetrics, computeMetricsByQueue, ahtByAgent, isOffered, waitOf, startOfToday } from './queue-metrics.ts';
import type { CallRecord, QueueThresholds } from './queue-metrics.ts';

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const Q: QueueThresholds = { slThresholdSeconds: 20, shortAbandonSeconds: 5 };

const answered = (wait: number, extra: Partial<CallRecord> = {}): CallRecord => ({
  queueId: 'q1', offeredAt: T0, answeredAt: T0 + wait * 1000, outcome: 'answered', waitSeconds: wait, ...extra,
});
const abandoned = (wait: number, extra: Partial<CallRecord> = {}): CallRecord => ({
  queueId: 'q1', offeredAt: T0, endedAt: T0 + wait * 1000, outcome: 'abandoned', waitSeconds: wait, ...extra,
});
const waiting = (offeredAt: number, extra: Partial<CallRecord> = {}): CallRecord => ({
  queueId: 'q1', offeredAt, outcome: 'waiting', ...extra,
});

describe('computeQueueMetrics', () => {
  it('no calls: zeros and nulls', () => {
    expect(computeQueueMetrics([], Q, T0)).toEqual({
      offered: 0, answered: 0, abandoned: 0, abandonedCalls: [], shortAbandoned: 0, answeredWithinThreshold: 0,
      serviceLevel: null, abandonmentRate: null, asaSeconds: null, handled: 0, ahtSeconds: null,
      waiting: 0, longestWaitSeconds: null,
    });
  });

  it('all abandoned: rate 1, service level null, ASA null', () => {
    const calls = [abandoned(3), abandoned(10), abandoned(60)];
    const m = computeQueueMetrics(calls, Q, T0);
    expect(m).toMatchObject({ offered: 3, answered: 0, abandoned: 3, shortAbandoned: 1, abandonmentRate: 1, serviceLevel: null, asaSeconds: null, ahtSeconds: null });
    expect(m.abandonedCalls).toEqual(calls);
  });

  it.each<[number, number]>([
    [19, 1],
    [19.999, 1],
    [20, 1], // exactly the threshold counts as within
    [20.001, 0],
    [21, 0],
  ])('service level boundary: wait %d → within=%i', (wait, within) => {
    const m = computeQueueMetrics([answered(wait)], Q, T0);
    expect(m.answeredWithinThreshold).toBe(within);
    expect(m.serviceLevel).toBe(within);
  });

  it.each<[number, number]>([
    [0, 1],
    [5, 1], // exactly the short-abandon limit counts as short
    [5.5, 0],
    [30, 0],
  ])('short abandon boundary: wait %d → short=%i (always still abandoned)', (wait, short) => {
    const m = computeQueueMetrics([abandoned(wait)], Q, T0);
    expect(m.shortAbandoned).toBe(short);
    expect(m.abandoned).toBe(1);
    expect(m.offered).toBe(1);
    expect(m.abandonmentRate).toBe(1);
  });

  it('service level = within ÷ answered (abandons excluded from the denominator)', () => {
    const m = computeQueueMetrics([answered(5), answered(20), answered(25), answered(40), abandoned(2), abandoned(50)], Q, T0);
    expect(m.answered).toBe(4);
    expect(m.answeredWithinThreshold).toBe(2);
    expect(m.serviceLevel).toBe(0.5);
    expect(m.offered).toBe(6);
    expect(m.abandonmentRate).toBeCloseTo(2 / 6, 12);
    expect(m.asaSeconds).toBe((5 + 20 + 25 + 40) / 4);
    expect(m.shortAbandoned).toBe(1);
  });

  it('overflow before queueing is not offered; queued overflow is', () => {
    const calls: CallRecord[] = [
      { queueId: 'q1', offeredAt: T0, outcome: 'overflowed', queued: false },
      { queueId: 'q1', offeredAt: T0, outcome: 'overflowed', queued: true },
      { queueId: 'q1', offeredAt: T0, outcome: 'overflowed' },
      answered(1),
    ];
    expect(calls.map(isOffered)).toEqual([false, true, true, true]);
    const m = computeQueueMetrics(calls, Q, T0);
    expect(m.offered).toBe(3);
    expect(m.answered).toBe(1);
    expect(m.abandonmentRate).toBe(0);
  });

  it('a caller who hung up before the call reached the queue is neither offered nor abandoned', () => {
    const m = computeQueueMetrics([{ queueId: 'q1', offeredAt: T0, endedAt: T0 + 300, outcome: 'abandoned', queued: false }, answered(3)], Q, T0);
    expect(m.offered).toBe(1);
    expect(m.abandoned).toBe(0);
    expect(m.abandonmentRate).toBe(0);
  });

  it('only pre-queue overflows: offered 0, rate null', () => {
    const m = computeQueueMetrics([{ queueId: 'q1', offeredAt: T0, outcome: 'overflowed', queued: false }], Q, T0);
    expect(m.offered).toBe(0);
    expect(m.abandonmentRate).toBeNull();
  });

  it('waits are derived from timestamps when waitSeconds is absent', () => {
    const a: CallRecord = { queueId: 'q1', offeredAt: T0, answeredAt: T0 + 12_000, outcome: 'answered' };
    const b: CallRecord = { queueId: 'q1', offeredAt: T0, endedAt: T0 + 4_000, outcome: 'abandoned' };
    expect(waitOf(a)).toBe(12);
    expect(waitOf(b)).toBe(4);
    const m = computeQueueMetrics([a, b], Q, T0);
    expect(m.asaSeconds).toBe(12);
    expect(m.shortAbandoned).toBe(1);
  });

  it('AHT = mean(talk + wrap) over handled calls; ongoing answered calls are not handled yet', () => {
    const m = computeQueueMetrics(
      [
        answered(1, { talkSeconds: 100, wrapSeconds: 20 }),
        answered(1, { talkSeconds: 200 }), // wrap missing counts as 0
        answered(1), // still talking
      ],
      Q,
      T0,
    );
    expect(m.answered).toBe(3);
    expect(m.handled).toBe(2);
    expect(m.ahtSeconds).toBe((120 + 200) / 2);
  });

  it('longest wait = now − offeredAt of the oldest waiting caller; ringing and others ignored', () => {
    const now = T0 + 120_000;
    const m = computeQueueMetrics(
      [waiting(T0 + 60_000), waiting(T0 + 30_000), { queueId: 'q1', offeredAt: T0, outcome: 'ringing' }, answered(1)],
      Q,
      now,
    );
    expect(m.waiting).toBe(2);
    expect(m.longestWaitSeconds).toBe(90);
    expect(m.offered).toBe(4);
  });

  it('longest wait is null when nobody waits and never negative', () => {
    expect(computeQueueMetrics([answered(3)], Q, T0).longestWaitSeconds).toBeNull();
    expect(computeQueueMetrics([waiting(T0 + 5000)], Q, T0).longestWaitSeconds).toBe(0);
  });
});

describe('computeMetricsByQueue', () => {
  it('groups by queue, uses each queue thresholds, includes empty queues, skips unknown', () => {
    const calls = [answered(15), answered(15, { queueId: 'q2' }), abandoned(3, { queueId: 'zz' })];
    const out = computeMetricsByQueue(calls, { q1: Q, q2: { slThresholdSeconds: 10, shortAbandonSeconds: 5 }, q3: Q }, T0);
    expect([...out.keys()]).toEqual(['q1', 'q2', 'q3']);
    expect(out.get('q1')?.serviceLevel).toBe(1);
    expect(out.get('q2')?.serviceLevel).toBe(0);
    expect(out.get('q3')?.offered).toBe(0);
  });
});

describe('ahtByAgent', () => {
  it('per-agent mean of talk + wrap over handled calls', () => {
    const out = ahtByAgent([
      answered(1, { agentId: 'a', talkSeconds: 60, wrapSeconds: 30 }),
      answered(1, { agentId: 'a', talkSeconds: 120, wrapSeconds: 0 }),
      answered(1, { agentId: 'b', talkSeconds: 10 }),
      answered(1, { agentId: 'b' }), // ongoing
      answered(1, { talkSeconds: 999 }), // no agent
      abandoned(3, { agentId: 'c' }),
    ]);
    expect(Object.fromEntries(out)).toEqual({ a: { handled: 2, ahtSeconds: 105 }, b: { handled: 1, ahtSeconds: 10 } });
  });
  it('empty', () => {
    expect(ahtByAgent([]).size).toBe(0);
  });
});

describe('startOfToday', () => {
  it.each<[string, string, string]>([
    // [zone, now (UTC ISO), expected start (UTC ISO)]
    ['UTC', '2026-11-23T16:57:00Z', '2026-11-23T00:00:00Z'],
    ['UTC', '2026-11-23T00:00:00Z', '2026-11-23T00:00:00Z'],
    ['UTC', '2026-11-23T23:59:59.999Z', '2026-11-23T00:00:00Z'],
    // Shanghai: UTC+8, no DST. 16:00Z is already the next local day.
    ['Asia/Shanghai', '2026-11-23T10:00:00Z', '2026-11-22T16:00:00Z'],
    ['Asia/Shanghai', '2026-11-23T15:59:59Z', '2026-11-22T16:00:00Z'],
    ['Asia/Shanghai', '2026-11-23T16:00:00Z', '2026-11-23T16:00:00Z'],
    // New York spring forward 2026-03-08 02:00 EST → 03:00 EDT: midnight is still EST (-5).
    ['America/New_York', '2026-03-08T06:59:00Z', '2026-03-08T05:00:00Z'], // 01:59 EST
    ['America/New_York', '2026-03-08T07:00:00Z', '2026-03-08T05:00:00Z'], // 03:00 EDT
    ['America/New_York', '2026-03-08T20:00:00Z', '2026-03-08T05:00:00Z'],
    ['America/New_York', '2026-03-09T03:59:59Z', '2026-03-08T05:00:00Z'], // 23:59:59 EDT, day is 23 h
    ['America/New_York', '2026-03-09T04:00:00Z', '2026-03-09T04:00:00Z'], // next midnight is EDT (-4)
    // New York fall back 2026-11-01 02:00 EDT → 01:00 EST: midnight is EDT (-4), day is 25 h.
    ['America/New_York', '2026-11-01T05:30:00Z', '2026-11-01T04:00:00Z'], // 01:30 EDT
    ['America/New_York', '2026-11-01T06:30:00Z', '2026-11-01T04:00:00Z'], // 01:30 EST (repeated hour)
    ['America/New_York', '2026-11-02T04:59:59Z', '2026-11-01T04:00:00Z'], // 23:59:59 EST
    ['America/New_York', '2026-11-02T05:00:00Z', '2026-11-02T05:00:00Z'],
    ['America/New_York', '2026-11-01T03:00:00Z', '2026-10-31T04:00:00Z'], // 23:00 EDT on the 31st
  ])('%s at %s → %s', (zone, nowIso, expectedIso) => {
    expect(new Date(startOfToday(Date.parse(nowIso), zone)).toISOString()).toBe(new Date(expectedIso).toISOString());
  });

  it('day lengths across the New York DST changes are 23 h and 25 h', () => {
    const ny = 'America/New_York';
    const mar8 = startOfToday(Date.parse('2026-03-08T12:00:00Z'), ny);
    const mar9 = startOfToday(Date.parse('2026-03-09T12:00:00Z'), ny);
    const nov1 = startOfToday(Date.parse('2026-11-01T12:00:00Z'), ny);
    const nov2 = startOfToday(Date.parse('2026-11-02T12:00:00Z'), ny);
    expect((mar9 - mar8) / 3_600_000).toBe(23);
    expect((nov2 - nov1) / 3_600_000).toBe(25);
  });

  it('drops sub-second precision: the result is on a whole second', () => {
    const r = startOfToday(Date.parse('2026-11-23T10:00:00.123Z'), 'UTC');
    expect(r % 1000).toBe(0);
  });

  it('where midnight does not exist (DST gap at 00:00) the day starts at 01:00', () => {
    // America/Santiago springs forward 2026-09-06 00:00 -04 → 01:00 -03.
    expect(new Date(startOfToday(Date.parse('2026-09-06T15:00:00Z'), 'America/Santiago')).toISOString()).toBe(
      '2026-09-06T04:00:00.000Z',
    );
  });

  it('rejects an unknown zone', () => {
    expect(() => startOfToday(T0, 'Mars/Olympus_Mons')).toThrow(RangeError);
  });
});
