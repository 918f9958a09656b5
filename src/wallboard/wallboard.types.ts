// What the wallboard shows: per queue and per agent. The formulas are in docs/metrics.md and in
// the API docs; "today" is since local midnight in the queue's time zone.

export interface WaitingCaller {
  readonly callId: string;
  /** Masked ("+1********23") unless the viewer may see numbers; "" when withheld. */
  readonly number: string;
  readonly withheld: boolean;
  readonly customerName: string | null;
  readonly customerId: number | null;
  readonly priority: number;
  /** ISO time the caller entered the queue; the board shows the wait counting up from it. */
  readonly since: string;
  readonly waitSeconds: number;
}

export interface AbandonedCall {
  readonly callId: string;
  readonly number: string;
  readonly withheld: boolean;
  readonly customerName: string | null;
  readonly customerId: number | null;
  readonly waitSeconds: number;
  readonly endedAt: string;
  /** Abandoned within the queue's short-abandon time. */
  readonly short: boolean;
}

export interface QueueFigures {
  readonly id: string;
  readonly name: string;
  readonly timeZone: string;
  /** ISO start of "today" for this queue. */
  readonly dayStartedAt: string;
  readonly slThresholdSeconds: number;
  readonly shortAbandonSeconds: number;
  readonly waiting: readonly WaitingCaller[];
  readonly longestWaitSeconds: number | null;
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
  readonly shortAbandoned: number;
  readonly overflowed: number;
  readonly answeredWithinThreshold: number;
  /** answered within threshold ÷ answered (short abandons are not in it); null when nothing answered. */
  readonly serviceLevel: number | null;
  /** abandoned ÷ offered; null when nothing offered. */
  readonly abandonmentRate: number | null;
  readonly asaSeconds: number | null;
  readonly ahtSeconds: number | null;
  /** The latest abandoned calls today, newest first (at most 50). */
  readonly abandonedCalls: readonly AbandonedCall[];
}

export interface AgentOnBoard {
  readonly id: string;
  readonly name: string;
  readonly team: string | null;
  readonly skills: readonly string[];
  readonly status: 'logged_out' | 'ready' | 'not_ready' | 'ringing' | 'on_call' | 'wrap_up';
  readonly reason: string | null;
  readonly callId: string | null;
  readonly since: string;
  readonly secondsInState: number;
  /** Calls handled today (each in its queue's day) and their average handle time (talk + wrap-up). */
  readonly handled: number;
  readonly ahtSeconds: number | null;
}

export interface Wallboard {
  readonly generatedAt: string;
  readonly queues: readonly QueueFigures[];
  readonly agents: readonly AgentOnBoard[];
  readonly agentsByState: Readonly<Record<AgentOnBoard['status'], number>>;
  /** False when the call log could not be read: figures are missing, live parts are still right. */
  readonly figuresAvailable: boolean;
}
