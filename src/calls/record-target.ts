import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { findCustomer } from '../customers/customer.repository.ts';
import { AppError } from '../shared/errors.ts';
import { findCallRow } from './call.repository.ts';

/**
 * What a ticket or follow-up is about must exist: its customer (not deleted) and, when given, its
 * call — which an agent may only name if it is one of their own calls (`agentId` null: anyone).
 */
export async function checkRecordTarget(db: Kysely<DB> | Transaction<DB>, target: { customerId: number; callId?: string | undefined }, agentId: string | null): Promise<void> {
  const customer = await findCustomer(db, target.customerId);
  if (!customer || customer.deleted_at) throw new AppError('CUSTOMER_NOT_FOUND', `No customer ${target.customerId}`);
  if (!target.callId) return;
  const call = await findCallRow(db, target.callId);
  if (!call) throw new AppError('CALL_NOT_FOUND', `No call ${target.callId}`);
  if (agentId !== null && String(call.agent_id) !== agentId) throw new AppError('FORBIDDEN', `Call ${target.callId} is not one of your calls`);
}
