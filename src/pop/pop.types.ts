// The screen pop: what an agent's desktop receives in `call:offered`. Part of the realtime contract
// (docs/realtime.md); bounded in size — lists are capped and long texts cut, more is over REST.
import type { CallSource, MatchOutcome } from '../db/schema.ts';

export const POP_LIMITS = Object.freeze({
  candidates: 20,
  phones: 10,
  emails: 10,
  relations: 20,
  holdings: 20,
  interactions: 20,
  openTickets: 10,
  recentComplaints: 5,
  businessRecords: 10,
  followUps: 10,
  prompts: 3,
  /** Characters of a customer's notes, an interaction's notes, a follow-up's note. */
  notes: 1000,
  interactionNotes: 500,
  followUpNote: 300,
});

/** How far back "recent complaints" reach. */
export const RECENT_COMPLAINT_DAYS = 180;

export interface PopCall {
  readonly id: string;
  readonly source: CallSource;
  readonly externalId: string;
  /** The number as received and, when valid, its E.164; both null when withheld. */
  readonly from: { readonly raw: string | null; readonly e164: string | null };
  readonly callerName: string | null;
  readonly withheld: boolean;
  readonly dialledNumber: string | null;
  readonly redirectingNumber: string | null;
  readonly queue: { readonly id: string; readonly name: string };
  readonly priority: number;
  /** ISO time the call reached screenpop. */
  readonly offeredAt: string;
  /** Seconds the caller had waited when this pop was sent. */
  readonly waitSeconds: number;
  /** 1 for the first agent offered the call, 2 after one ring timeout, ... */
  readonly attempt: number;
  readonly ringTimeoutSeconds: number;
}

export interface PopCandidate {
  readonly id: number;
  readonly customerNumber: string;
  readonly displayName: string;
  readonly companyName: string | null;
  readonly valueSegment: string;
  readonly phoneLabel: string;
  readonly matchedOn: 'e164' | 'tail';
}

export interface PopMatch {
  /** single | multiple (agent picks) | none (a provisional customer to complete) | withheld | unavailable (store down). */
  readonly outcome: MatchOutcome;
  readonly matchedOn: 'e164' | 'tail' | null;
  readonly candidates: readonly PopCandidate[];
}

export interface PopInteraction {
  readonly callId: string;
  readonly at: string;
  readonly direction: 'inbound' | 'outbound';
  readonly queueId: string | null;
  readonly agentName: string | null;
  readonly status: string;
  readonly disposition: string | null;
  readonly notes: string | null;
  readonly talkSeconds: number | null;
}

export interface PopTicket {
  readonly id: number;
  readonly subject: string;
  readonly category: string;
  readonly priority: string;
  readonly status: string;
  readonly createdAt: string;
}

export interface PopBusinessRecord {
  readonly kind: string;
  readonly reference: string;
  readonly title: string;
  readonly amount: string | null;
  readonly currency: string;
  readonly status: string;
  readonly occurredAt: string;
}

export interface PopFollowUp {
  readonly id: number;
  readonly dueDate: string;
  readonly note: string;
  readonly assigneeAgentId: string;
  readonly status: string;
}

export interface PopCustomer {
  readonly id: number;
  readonly customerNumber: string;
  readonly kind: 'person' | 'company';
  readonly displayName: string;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly companyName: string | null;
  readonly valueSegment: string;
  readonly lifetimeValue: string;
  readonly language: string | null;
  readonly tags: readonly string[];
  readonly notes: string | null;
  readonly customerSince: string | null;
  readonly provisional: boolean;
  readonly phones: ReadonlyArray<{ readonly label: string; readonly raw: string; readonly e164: string | null; readonly isPrimary: boolean }>;
  readonly emails: ReadonlyArray<{ readonly label: string; readonly email: string }>;
  readonly relations: ReadonlyArray<{ readonly kind: string; readonly customerId: number; readonly displayName: string; readonly customerNumber: string }>;
  readonly holdings: ReadonlyArray<{ readonly productCode: string; readonly productName: string; readonly status: string; readonly since: string }>;
  readonly interactions: readonly PopInteraction[];
  readonly openTickets: readonly PopTicket[];
  readonly recentComplaints: readonly PopTicket[];
  readonly businessRecords: readonly PopBusinessRecord[];
  readonly followUps: readonly PopFollowUp[];
  /** True where the list was cut at its limit: the rest is over REST (docs/realtime.md). */
  readonly more: { readonly interactions: boolean; readonly openTickets: boolean; readonly businessRecords: boolean; readonly followUps: boolean };
}

export interface PopPrompt {
  readonly ruleId: number;
  readonly productCode: string;
  readonly productName: string;
  readonly script: string;
  readonly priority: number;
}

export interface Pop {
  readonly call: PopCall;
  readonly match: PopMatch;
  /** The customer for a single match or a provisional contact; null for several, withheld or unavailable. */
  readonly customer: PopCustomer | null;
  /** False when the store could not be read in time: the desktop says history is unavailable. */
  readonly historyAvailable: boolean;
  readonly prompts: readonly PopPrompt[];
}
