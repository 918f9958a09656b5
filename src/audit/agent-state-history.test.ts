import { describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import pino from 'pino';
import type { DB } from '../db/schema.ts';
import { systemActor } from '../auth/actor.ts';
import type { AgentState } from '../routing/agent-state.ts';
import { AgentStateHistory } from './agent-state-history.ts';
import type { StateChangeRow } from './audit.repository.ts';

/** A store that takes INSERTs into agent_state_history, or fails them with `fail`'s error. */
function fakeStore() {
  const inserts: StateChangeRow[][] = [];
  const store = {
    inserts,
    fail: null as Error | null,
    db: {
      insertInto: () => ({
        values: (rows: StateChangeRow[]) => ({
          execute: async () => {
            if (store.fail) throw store.fail;
            inserts.push(rows);
          },
        }),
      }),
    } as unknown as Kysely<DB>,
  };
  return store;
}

const ready: AgentState = { status: 'ready', since: 1_000 };
const ringing: AgentState = { status: 'ringing', since: 2_000, callId: 'c-1' };
const missed: AgentState = { status: 'not_ready', since: 3_000, reason: 'missed' };
const routing = systemActor('routing');
const timeout = systemActor('ring-timeout');
const silent = pino({ level: 'silent' });

describe('agent state history', () => {
  it('writes the changes of a call as one INSERT, in order, with who made each', async () => {
    const store = fakeStore();
    const h = new AgentStateHistory(store.db, silent, { flushMs: 60_000 });
    h.record('7', ringing, ready, routing);
    h.record('7', missed, ringing, timeout);
    expect(store.inserts).toEqual([]); // nothing on the call path
    await h.flush();
    expect(store.inserts).toHaveLength(1);
    expect(store.inserts[0]).toEqual([
      { agent_id: 7, at: new Date(2_000), from_status: 'ready', to_status: 'ringing', reason: null, call_id: 'c-1', actor: 'system:routing', actor_role: 'admin' },
      { agent_id: 7, at: new Date(3_000), from_status: 'ringing', to_status: 'not_ready', reason: 'missed', call_id: 'c-1', actor: 'system:ring-timeout', actor_role: 'admin' },
    ]);
  });

  it('writes at once when a batch is full', async () => {
    const store = fakeStore();
    const h = new AgentStateHistory(store.db, silent, { flushMs: 60_000, batchSize: 2 });
    h.record('1', ringing, ready, routing);
    h.record('2', ringing, ready, routing);
    h.record('3', ringing, ready, routing);
    await h.flush();
    expect(store.inserts.map((rows) => rows.map((r) => r.agent_id))).toEqual([[1, 2], [3]]);
  });

  it('keeps the changes while the store is unreachable and writes them when it is back', async () => {
    const store = fakeStore();
    const h = new AgentStateHistory(store.db, silent, { flushMs: 60_000 });
    store.fail = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    h.record('7', ringing, ready, routing);
    await expect(h.flush()).resolves.toBeUndefined();
    h.record('7', missed, ringing, timeout);
    store.fail = null;
    await h.flush();
    expect(store.inserts.flat().map((r) => r.to_status)).toEqual(['ringing', 'not_ready']);
    await h.close();
  });

  it('never throws into routing: a statement the store refuses is logged and dropped', async () => {
    const store = fakeStore();
    const h = new AgentStateHistory(store.db, silent, { flushMs: 60_000 });
    store.fail = Object.assign(new Error('value too long'), { code: '22001' });
    expect(() => h.record('7', ringing, ready, routing)).not.toThrow();
    await expect(h.flush()).resolves.toBeUndefined();
    store.fail = null;
    h.record('7', missed, ringing, timeout);
    await h.close();
    expect(store.inserts.flat().map((r) => r.to_status)).toEqual(['not_ready']);
  });
});
