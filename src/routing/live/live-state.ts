import type { AgentState } from '../agent-state.ts';
import type { TokenLimit } from '../../shared/token-bucket.ts';

/** An agent's live state and its version; every change bumps the version (compare-and-set). */
export interface VersionedAgentState {
  readonly state: AgentState;
  readonly version: number;
}

/** A caller waiting in a queue, as every node sees it. */
export interface QueueEntry {
  readonly callId: string;
  readonly queueId: string;
  /** The node that handles the call (its timers, its SIP dialog). */
  readonly ownerNode: string;
  /** 0..99, higher first (see priorityForSegment). */
  readonly priority: number;
  /** ms; kept when a call goes back to the queue after a ring timeout, so it keeps its place. */
  readonly enqueuedAt: number;
  /** Agents this call already rang without an answer; they are not chosen again for it. */
  readonly tried: readonly string[];
  /** For the wallboard: the caller as supervisors may see it. */
  readonly caller: {
    readonly number: string | null;
    readonly maskedNumber: string;
    readonly customerName: string | null;
    readonly customerId: number | null;
    readonly withheld: boolean;
  };
}

/** Where a live call is handled; kept while the call is live, so any node can reach its owner. */
export interface CallRegistration {
  readonly callId: string;
  readonly ownerNode: string;
}

/**
 * Queue and agent state shared by every node: in-process for one node, Redis for several.
 * Both implementations pass the same suite (test/integration/live-state.test.ts). Claims are atomic:
 * two nodes never give one agent two calls, and never give one call to two agents.
 */
export interface LiveState {
  readonly kind: 'memory' | 'redis';

  /** States of these agents; an agent never seen is logged out at version 0. */
  agentStates(agentIds: readonly string[]): Promise<Map<string, VersionedAgentState>>;
  /** Replaces an agent's state if its version is still `expectedVersion`; the new version, or null when it moved on. */
  setAgentState(agentId: string, expectedVersion: number, next: AgentState): Promise<number | null>;

  /** Puts a caller in its queue (again, after a ring timeout: same enqueuedAt keeps its place). */
  enqueue(entry: QueueEntry): Promise<void>;
  /** Callers waiting in a queue, best first: priority, then longest wait, then call id. */
  waiting(queueId: string): Promise<QueueEntry[]>;
  /** Takes a caller out of its queue; false when it was not there (claimed or removed already). */
  removeWaiting(queueId: string, callId: string): Promise<boolean>;
  /**
   * Atomically: if the caller is still waiting and the agent's state is still at `expectedVersion`,
   * takes the caller out of the queue and sets the agent's state. The agent's new version, or null.
   */
  claim(queueId: string, callId: string, agentId: string, expectedVersion: number, next: AgentState): Promise<number | null>;

  /** Registers a live call under its source key (idempotent offers find it); false if the key is taken. */
  registerCall(key: string, reg: CallRegistration): Promise<boolean>;
  findCall(key: string): Promise<CallRegistration | null>;
  unregisterCall(key: string): Promise<void>;
  /** Every registration with its key (for the sweeper that releases agents tied to lost calls). */
  liveCalls(): Promise<Array<CallRegistration & { readonly key: string }>>;

  /**
   * Takes one call from a trunk's calls-per-second allowance (a token bucket, shared/token-bucket.ts, with a burst of one second's calls),
   * counted across every node: 0 when taken, otherwise the seconds until one would be (≥ 1).
   */
  takeCallSlot(trunk: string, perSecond: number): Promise<number>;
  /**
   * Takes one token from the bucket named `key` (shared/token-bucket.ts), counted across every
   * node: 0 when taken, otherwise the seconds until one would be (≥ 1). A bucket left alone until
   * it is full again is forgotten, so keys may be many (e.g. `auth-fail:<address>`).
   */
  takeToken(key: string, limit: TokenLimit): Promise<number>;

  /** Marks this node alive for `ttlMs`; nodes not heard from are considered lost. */
  heartbeat(nodeId: string, ttlMs: number): Promise<void>;
  liveNodes(): Promise<Set<string>>;

  close(): Promise<void>;
}

/** Queue order as one sortable number: priority (0..99) first, then enqueue time; ties by call id. */
export function queueScore(priority: number, enqueuedAt: number): number {
  const p = Math.min(99, Math.max(0, Math.round(priority)));
  return (99 - p) * 1e13 + enqueuedAt;
}
