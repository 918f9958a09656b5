import type { Kysely, Transaction } from 'kysely';
import type { DB, PromptOutcome } from '../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { AppError } from '../shared/errors.ts';
import { latestLoadWins } from '../shared/latest-load.ts';
import type { PopCustomer, PopPrompt } from '../pop/pop.types.ts';
import { POP_LIMITS } from '../pop/pop.types.ts';
import { bestOffers, type CrossSellRule } from './cross-sell-rules.ts';
import {
  conversionByRule,
  findRule,
  insertRule,
  insertShownPrompts,
  listRules,
  updateRule,
  upsertPromptOutcome,
  type CrossSellRuleRow,
} from './cross-sell.repository.ts';

export interface RuleInput {
  name: string;
  segments?: string[] | null;
  holdsProduct?: string | null;
  notHoldsProduct?: string | null;
  minLifetimeValue?: number | null;
  minTenureMonths?: number | null;
  productCode: string;
  productName: string;
  script: string;
  priority?: number;
  active?: boolean;
}

export const toRule = (r: CrossSellRuleRow): CrossSellRule => ({
  id: Number(r.id),
  name: r.name,
  segments: r.segments,
  holdsProduct: r.holds_product,
  notHoldsProduct: r.not_holds_product,
  minLifetimeValue: r.min_lifetime_value === null ? null : Number(r.min_lifetime_value),
  minTenureMonths: r.min_tenure_months,
  productCode: r.product_code,
  productName: r.product_name,
  script: r.script,
  priority: r.priority,
  active: r.active,
});

function columns(input: Partial<RuleInput>) {
  const c: Record<string, unknown> = {};
  if (input.name !== undefined) c.name = input.name;
  if (input.segments !== undefined) c.segments = input.segments;
  if (input.holdsProduct !== undefined) c.holds_product = input.holdsProduct;
  if (input.notHoldsProduct !== undefined) c.not_holds_product = input.notHoldsProduct;
  if (input.minLifetimeValue !== undefined) c.min_lifetime_value = input.minLifetimeValue;
  if (input.minTenureMonths !== undefined) c.min_tenure_months = input.minTenureMonths;
  if (input.productCode !== undefined) c.product_code = input.productCode;
  if (input.productName !== undefined) c.product_name = input.productName;
  if (input.script !== undefined) c.script = input.script;
  if (input.priority !== undefined) c.priority = input.priority;
  if (input.active !== undefined) c.active = input.active;
  return c;
}

/**
 * Cross-sell rules (cached on every node: choosing prompts costs the pop no query), the prompts
 * shown on calls and their outcomes.
 */
export class CrossSellService {
  private readonly db: Kysely<DB>;
  private rules: CrossSellRule[] = [];
  /** Called after a rule change here, so other nodes reload (set by the container). */
  onChange: () => void = () => {};

  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  readonly reload = latestLoadWins(
    () => listRules(this.db),
    (rows) => (this.rules = rows.map(toRule)),
  );

  /** The best ≤ 3 offers for this customer now. */
  promptsFor(customer: PopCustomer, today = new Date()): PopPrompt[] {
    const facts = {
      valueSegment: customer.valueSegment,
      lifetimeValue: Number(customer.lifetimeValue),
      customerSince: customer.customerSince,
      holdings: customer.holdings.filter((h) => h.status === 'active').map((h) => h.productCode),
    };
    return bestOffers(this.rules, facts, today, POP_LIMITS.prompts).map((r) => ({
      ruleId: r.id,
      productCode: r.productCode,
      productName: r.productName,
      script: r.script,
      priority: r.priority,
    }));
  }

  /** Stores the prompts as shown on a call (inside the call log's transaction). */
  recordShown(trx: Transaction<DB>, callId: string, customerId: number, agentId: string | null, prompts: readonly PopPrompt[]) {
    return insertShownPrompts(
      trx,
      prompts.map((p) => ({ rule_id: p.ruleId, call_id: callId, customer_id: customerId, agent_id: agentId === null ? null : Number(agentId) })),
    );
  }

  /** The customer's answer to an offer shown on a call, with its audit row. */
  async recordOutcome(actor: Actor, input: { callId: string; ruleId: number; customerId: number; agentId: string | null; outcome: PromptOutcome }) {
    return this.db.transaction().execute(async (trx) => {
      const row = await upsertPromptOutcome(trx, {
        rule_id: input.ruleId,
        call_id: input.callId,
        customer_id: input.customerId,
        agent_id: input.agentId === null ? null : Number(input.agentId),
        outcome: input.outcome,
      });
      await recordAudit(trx, actor, { action: 'cross_sell.outcome', entity: 'call', entityId: input.callId, after: row });
      return row;
    });
  }

  list() {
    return listRules(this.db).then((rows) => rows.map(toRule));
  }

  async create(actor: Actor, input: RuleInput) {
    const row = await this.db.transaction().execute(async (trx) => {
      const created = await insertRule(trx, { ...(columns(input) as { name: string; product_code: string; product_name: string; script: string }), created_by: actor.id });
      await recordAudit(trx, actor, { action: 'cross_sell_rule.create', entity: 'cross_sell_rule', entityId: created.id, after: created });
      return created;
    });
    await this.changed();
    return toRule(row);
  }

  async update(actor: Actor, id: number, input: Partial<RuleInput>) {
    const row = await this.db.transaction().execute(async (trx) => {
      const before = await findRule(trx, id);
      if (!before) throw new AppError('NOT_FOUND', `No cross-sell rule ${id}`);
      const after = await updateRule(trx, id, columns(input));
      await recordAudit(trx, actor, { action: 'cross_sell_rule.update', entity: 'cross_sell_rule', entityId: id, before, after });
      return after!;
    });
    await this.changed();
    return toRule(row);
  }

  async conversion() {
    return (await conversionByRule(this.db)).map((r) => {
      const shown = Number(r.shown);
      const accepted = Number(r.accepted);
      return {
        ruleId: Number(r.id),
        name: r.name,
        productCode: r.product_code,
        active: r.active,
        shown,
        accepted,
        declined: Number(r.declined),
        later: Number(r.later),
        /** accepted ÷ shown; null when never shown. */
        conversionRate: shown === 0 ? null : accepted / shown,
      };
    });
  }

  private async changed() {
    await this.reload();
    this.onChange();
  }
}
