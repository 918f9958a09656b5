import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { systemActor } from '../auth/actor.ts';
import type { CustomerService, LookupResult } from '../customers/customer.service.ts';
import { normalisePhone, type NormalisedPhone } from '../customers/phone-number.ts';
import type { CrossSellService } from '../cross-sell/cross-sell.service.ts';
import { priorityForSegment } from '../routing/agent-selection.ts';
import { loadPopCustomer } from '../pop/pop.builder.ts';
import { POP_LIMITS, type PopCustomer, type PopMatch, type PopPrompt } from '../pop/pop.types.ts';
import type { Logger } from '../shared/logger.ts';

export interface CallerMatch {
  match: PopMatch;
  customer: PopCustomer | null;
  historyAvailable: boolean;
  prompts: PopPrompt[];
  priority: number;
  e164: string | null;
}

export interface MatchDeps {
  db: Kysely<DB>;
  customers: CustomerService;
  crossSell: CrossSellService;
  log: Logger;
  defaultCountry: string;
  /** A pop never waits on a slow store longer than this: the call routes and history shows unavailable. */
  timeoutMs: number;
}

class StoreTimeout extends Error {}

/** The system acting for one call (`system:call:<call id>`), e.g. creating its provisional customer. */
export const callActor = (callId: string) => systemActor(`call:${callId}`);

/** Name of a provisional customer when the caller sent none; the agent completes it. */
export const PROVISIONAL_NAME = 'Unknown caller';

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, rej) => (timer = setTimeout(() => rej(new StoreTimeout(`no answer in ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

/**
 * Who is calling, and what the agent should see: one customer (with history), several (the agent
 * picks), none (a provisional contact the agent completes), withheld, or unavailable when the store
 * does not answer in time. Never throws: a call is routed whatever the store does.
 */
export async function matchCaller(
  deps: MatchDeps,
  input: { callId: string; fromNumber: string | null; callerName: string | null; withheld: boolean; normalised?: NormalisedPhone | null; defaultCountry?: string },
): Promise<CallerMatch> {
  const unmatched = (outcome: PopMatch['outcome'], e164: string | null = null, historyAvailable = true): CallerMatch => ({
    match: { outcome, matchedOn: null, candidates: [] },
    customer: null,
    historyAvailable,
    prompts: [],
    priority: priorityForSegment(null),
    e164,
  });
  if (input.withheld) return unmatched('withheld');
  const n = input.normalised ?? (input.fromNumber ? normalisePhone(input.fromNumber, input.defaultCountry ?? deps.defaultCountry) : null);
  if (!n) return unmatched('none'); // no number at all: the agent can still create or search the customer

  let lookup: LookupResult;
  try {
    lookup = await within(deps.customers.lookupNormalised(n), deps.timeoutMs);
  } catch (err) {
    deps.log.warn({ err }, 'caller lookup failed; routing without history');
    return unmatched('unavailable', n.e164, false);
  }
  const candidates = lookup.matches.slice(0, POP_LIMITS.candidates).map((m) => ({
    id: m.id,
    customerNumber: m.customerNumber,
    displayName: m.displayName,
    companyName: m.companyName,
    valueSegment: m.valueSegment,
    phoneLabel: m.phone.label,
    matchedOn: m.matchedOn,
  }));

  if (lookup.outcome === 'multiple') {
    // Priority follows the best segment among the candidates: a VIP sharing a line is still a VIP.
    const priority = Math.max(...candidates.map((c) => priorityForSegment(c.valueSegment)));
    return { match: { outcome: 'multiple', matchedOn: candidates[0]?.matchedOn ?? null, candidates }, customer: null, historyAvailable: true, prompts: [], priority, e164: n.e164 };
  }

  let customerId: number;
  const outcome: PopMatch['outcome'] = lookup.outcome === 'single' ? 'single' : 'none';
  if (outcome === 'single') {
    customerId = candidates[0]!.id;
  } else {
    try {
      const created = await within(
        deps.customers.create(
          // Attributed to the call that created it: the audit trail says which call to look at.
          callActor(input.callId),
          {
            // Not the number: a name is shown where numbers are masked (wallboard), the phone is stored below.
            displayName: (input.callerName ?? '').trim() || PROVISIONAL_NAME,
            phones: [{ number: n.e164 ?? input.fromNumber ?? n.digits, label: 'caller id' }],
          },
          { provisional: true },
        ),
        deps.timeoutMs,
      );
      customerId = created.id;
    } catch (err) {
      deps.log.warn({ err }, 'provisional customer not created; the agent can create one');
      return unmatched('none', n.e164, !(err instanceof StoreTimeout));
    }
  }

  const match: PopMatch = { outcome, matchedOn: outcome === 'single' ? (candidates[0]?.matchedOn ?? null) : null, candidates: outcome === 'single' ? candidates : [] };
  try {
    const customer = await within(loadPopCustomer(deps.db, customerId), deps.timeoutMs);
    if (!customer) return { ...unmatched(outcome, n.e164, false), match };
    return {
      match,
      customer,
      historyAvailable: true,
      prompts: deps.crossSell.promptsFor(customer),
      priority: priorityForSegment(customer.valueSegment),
      e164: n.e164,
    };
  } catch (err) {
    deps.log.warn({ err }, 'customer history not read; the pop says so');
    return { ...unmatched(outcome, n.e164, false), match, priority: priorityForSegment(candidates[0]?.valueSegment ?? null) };
  }
}
