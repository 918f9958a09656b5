import { loggedOut, type AgentState } from '../agent-state.ts';
import { refillMs, takeToken, type Bucket, type TokenLimit } from '../../shared/token-bucket.ts';
import { queueScore, type CallRegistration, type LiveState, type QueueEntry, type VersionedAgentState } from './live-state.ts';

/** Live state for a single node (the embedded default). Every operation is atomic by construction. */
export class MemoryLiveState implements LiveState {
  readonly kind = 'memory' as const;
  private readonly agents = new Map<string, VersionedAgentState>();
  private readonly queues = new Map<string, Map<string, QueueEntry>>();
  private readonly calls = new Map<string, CallRegistration>();
  private readonly nodes = new Map<string, number>();
  private readonly buckets = new Map<string, Bucket>();
  /** Full buckets are swept out once the map doubles, so many keys cost amortised O(1) per take. */
  private sweepAt = 1000;
  private readonly now: () => number;

  constructor(opts: { now?: () => number } = {}) {
    this.now = opts.now ?? Date.now;
  }

  async agentStates(agentIds: readonly string[]) {
    const out = new Map<string, VersionedAgentState>();
    for (const id of agentIds) out.set(id, this.agents.get(id) ?? { state: loggedOut(0), version: 0 });
    return out;
  }

  async setAgentState(agentId: string, expectedVersion: number, next: AgentState) {
    const version = this.agents.get(agentId)?.version ?? 0;
    if (version !== expectedVersion) return null;
    this.agents.set(agentId, { state: next, version: version + 1 });
    return version + 1;
  }

  async enqueue(entry: QueueEntry) {
    let q = this.queues.get(entry.queueId);
    if (!q) this.queues.set(entry.queueId, (q = new Map()));
    q.set(entry.callId, entry);
  }

  async waiting(queueId: string) {
    const entries = [...(this.queues.get(queueId)?.values() ?? [])];
    return entries.sort(
      (a, b) => queueScore(a.priority, a.enqueuedAt) - queueScore(b.priority, b.enqueuedAt) || (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0),
    );
  }

  async removeWaiting(queueId: string, callId: string) {
    return this.queues.get(queueId)?.delete(callId) ?? false;
  }

  async claim(queueId: string, callId: string, agentId: string, expectedVersion: number, next: AgentState) {
    const q = this.queues.get(queueId);
    if (!q?.has(callId)) return null;
    const version = this.agents.get(agentId)?.version ?? 0;
    if (version !== expectedVersion) return null;
    q.delete(callId);
    this.agents.set(agentId, { state: next, version: version + 1 });
    return version + 1;
  }

  async registerCall(key: string, reg: CallRegistration) {
    if (this.calls.has(key)) return false;
    this.calls.set(key, reg);
    return true;
  }

  async findCall(key: string) {
    return this.calls.get(key) ?? null;
  }

  async unregisterCall(key: string) {
    this.calls.delete(key);
  }

  async liveCalls() {
    return [...this.calls].map(([key, reg]) => ({ ...reg, key }));
  }

  async takeCallSlot(trunk: string, perSecond: number) {
    return this.take(`callslots:${trunk}`, { burst: perSecond, perSecond });
  }

  async takeToken(key: string, limit: TokenLimit) {
    return this.take(`tokens:${key}`, limit);
  }

  private take(key: string, limit: TokenLimit) {
    const now = this.now();
    const { bucket, waitSeconds } = takeToken(this.buckets.get(key), limit, now);
    this.buckets.set(key, bucket);
    if (this.buckets.size >= this.sweepAt) {
      for (const [k, b] of this.buckets) if (now - b.at >= refillMs(b.limit)) this.buckets.delete(k);
      this.sweepAt = Math.max(1000, this.buckets.size * 2);
    }
    return waitSeconds;
  }

  async heartbeat(nodeId: string, ttlMs: number) {
    this.nodes.set(nodeId, this.now() + ttlMs);
  }

  async liveNodes() {
    const now = this.now();
    return new Set([...this.nodes].filter(([, until]) => until > now).map(([id]) => id));
  }

  async close() {}
}
