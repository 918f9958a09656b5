import type { Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';
import type { CrossSellRulesTable, DB, PromptOutcome } from '../db/schema.ts';

type Q = Kysely<DB> | Transaction<DB>;

export type CrossSellRuleRow = Selectable<CrossSellRulesTable>;

export function listRules(db: Q) {
  return db.selectFrom('cross_sell_rules').selectAll().orderBy('id').execute();
}

export function findRule(db: Q, id: number) {
  return db.selectFrom('cross_sell_rules').selectAll().where('id', '=', id).executeTakeFirst();
}

export function insertRule(trx: Q, values: Insertable<CrossSellRulesTable>) {
  return trx.insertInto('cross_sell_rules').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateRule(trx: Q, id: number, values: Updateable<CrossSellRulesTable>) {
  return trx.updateTable('cross_sell_rules').set({ ...values, updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirst();
}

/** Records offers as shown on a call; showing the same call's pop again adds nothing. */
export function insertShownPrompts(trx: Q, rows: { rule_id: number; call_id: string; customer_id: number; agent_id: number | null }[]) {
  if (!rows.length) return Promise.resolve();
  return trx
    .insertInto('cross_sell_prompts')
    .values(rows)
    .onConflict((oc) => oc.columns(['call_id', 'rule_id']).doNothing())
    .execute()
    .then(() => undefined);
}

/** The outcome of an offer on a call; inserts the shown row if its write has not landed yet. */
export function upsertPromptOutcome(
  trx: Q,
  row: { rule_id: number; call_id: string; customer_id: number; agent_id: number | null; outcome: PromptOutcome },
) {
  return trx
    .insertInto('cross_sell_prompts')
    .values({ ...row, outcome_at: new Date() })
    .onConflict((oc) => oc.columns(['call_id', 'rule_id']).doUpdateSet((eb) => ({ outcome: eb.ref('excluded.outcome'), outcome_at: eb.ref('excluded.outcome_at'), agent_id: eb.ref('excluded.agent_id') })))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findPrompt(db: Q, callId: string, ruleId: number) {
  return db.selectFrom('cross_sell_prompts').selectAll().where('call_id', '=', callId).where('rule_id', '=', ruleId).executeTakeFirst();
}

/** Per rule: offers shown, and how many were accepted, declined, left for later, or had no answer. */
export function conversionByRule(db: Q) {
  return db
    .selectFrom('cross_sell_rules as r')
    .leftJoin('cross_sell_prompts as p', 'p.rule_id', 'r.id')
    .select((eb) => [
      'r.id',
      'r.name',
      'r.product_code',
      'r.active',
      eb.fn.count<string>('p.id').as('shown'),
      eb.fn.count<string>('p.id').filterWhere('p.outcome', '=', 'accepted').as('accepted'),
      eb.fn.count<string>('p.id').filterWhere('p.outcome', '=', 'declined').as('declined'),
      eb.fn.count<string>('p.id').filterWhere('p.outcome', '=', 'later').as('later'),
    ])
    .groupBy(['r.id', 'r.name', 'r.product_code', 'r.active'])
    .orderBy('r.id')
    .execute();
}
