// Which cross-sell offers apply to a customer. Pure, no I/O.

export interface CrossSellRule {
  readonly id: number;
  readonly name: string;
  /** Value segments the rule applies to (case-insensitive); null = any. */
  readonly segments: readonly string[] | null;
  /** The customer must hold this product (active holding); null = no condition. */
  readonly holdsProduct: string | null;
  /** The customer must not hold this product; null = no condition. */
  readonly notHoldsProduct: string | null;
  readonly minLifetimeValue: number | null;
  /** Whole months since the customer's "customer since" date; an unknown date fails this condition. */
  readonly minTenureMonths: number | null;
  readonly productCode: string;
  readonly productName: string;
  readonly script: string;
  /** Higher first. */
  readonly priority: number;
  readonly active: boolean;
}

export interface CustomerFacts {
  readonly valueSegment: string;
  readonly lifetimeValue: number;
  /** ISO date (YYYY-MM-DD) or null. */
  readonly customerSince: string | null;
  /** Product codes the customer holds (active). */
  readonly holdings: readonly string[];
}

/** Whole calendar months from `since` (YYYY-MM-DD) to `today`, never negative; null for a bad date. */
export function tenureMonths(since: string | null, today: Date): number | null {
  const m = since ? /^(\d{4})-(\d{2})-(\d{2})/.exec(since) : null;
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let months = (today.getUTCFullYear() - y) * 12 + (today.getUTCMonth() + 1 - mo);
  if (today.getUTCDate() < d) months -= 1;
  return Math.max(0, months);
}

export function ruleApplies(rule: CrossSellRule, facts: CustomerFacts, today: Date): boolean {
  if (!rule.active) return false;
  const holds = new Set(facts.holdings.map((h) => h.toUpperCase()));
  // Offering what the customer already has would be noise on the agent's screen.
  if (holds.has(rule.productCode.toUpperCase())) return false;
  if (rule.segments && !rule.segments.some((s) => s.toLowerCase() === facts.valueSegment.toLowerCase())) return false;
  if (rule.holdsProduct && !holds.has(rule.holdsProduct.toUpperCase())) return false;
  if (rule.notHoldsProduct && holds.has(rule.notHoldsProduct.toUpperCase())) return false;
  if (rule.minLifetimeValue !== null && facts.lifetimeValue < rule.minLifetimeValue) return false;
  if (rule.minTenureMonths !== null) {
    const tenure = tenureMonths(facts.customerSince, today);
    if (tenure === null || tenure < rule.minTenureMonths) return false;
  }
  return true;
}

/** The best `limit` applicable offers: highest priority first, then oldest rule; one per product. */
export function bestOffers(rules: readonly CrossSellRule[], facts: CustomerFacts, today: Date, limit = 3): CrossSellRule[] {
  const applicable = rules.filter((r) => ruleApplies(r, facts, today)).sort((a, b) => b.priority - a.priority || a.id - b.id);
  const out: CrossSellRule[] = [];
  const products = new Set<string>();
  for (const r of applicable) {
    const key = r.productCode.toUpperCase();
    if (products.has(key)) continue;
    products.add(key);
    out.push(r);
    if (out.length >= limit) break;
  }
  return out;
}
