import type { Kysely, Selectable, Updateable } from 'kysely';
import type { DB, QueuesTable } from '../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { normalisePhone } from '../customers/phone-number.ts';
import { violatedUnique } from '../db/unique-violation.ts';
import { AppError } from '../shared/errors.ts';
import { latestLoadWins } from '../shared/latest-load.ts';
import { clearDefault, findQueue, insertQueue, listQueues, updateQueue } from './queue.repository.ts';

export interface QueueConfig {
  readonly id: string;
  readonly name: string;
  readonly dialledNumbers: string[];
  readonly skill: string;
  readonly isDefault: boolean;
  readonly slThresholdSeconds: number;
  readonly shortAbandonSeconds: number;
  readonly maxWaitSeconds: number;
  readonly ringTimeoutSeconds: number;
  /** 0 = wrap-up lasts until the agent finishes it. */
  readonly wrapUpSeconds: number;
  readonly overflowTarget: string | null;
  readonly timeZone: string;
}

export type QueueInput = Omit<QueueConfig, 'id' | 'isDefault' | 'dialledNumbers' | 'overflowTarget'> & {
  dialledNumbers?: readonly string[];
  isDefault?: boolean;
  overflowTarget?: string | null;
};

const toConfig = (r: Selectable<QueuesTable>): QueueConfig =>
  Object.freeze({
    id: r.id,
    name: r.name,
    dialledNumbers: [...r.dialled_numbers],
    skill: r.skill,
    isDefault: r.is_default,
    slThresholdSeconds: r.sl_threshold_seconds,
    shortAbandonSeconds: r.short_abandon_seconds,
    maxWaitSeconds: r.max_wait_seconds,
    ringTimeoutSeconds: r.ring_timeout_seconds,
    wrapUpSeconds: r.wrap_up_seconds,
    overflowTarget: r.overflow_target,
    timeZone: r.time_zone,
  });

/** Digits of a dialled number, and its E.164 when it is a valid number, so "8005550100" finds "+1 800 555 0100". */
export function dialledKeys(number: string, defaultCountry: string): string[] {
  const digits = number.replace(/\D/g, '');
  if (!digits) return [];
  const e164 = normalisePhone(number, defaultCountry)?.e164;
  return e164 && e164.slice(1) !== digits ? [digits, e164.slice(1)] : [digits];
}

/**
 * An insert that lost a race: a concurrent create committed the same id (or another default queue)
 * after this one's existence check. The loser answers 409 like a sequential duplicate, not 500.
 */
function createConflict(err: unknown, id: string): unknown {
  const constraint = violatedUnique(err);
  if (constraint === 'queues_pkey') return new AppError('CONFLICT', `Queue ${id} exists already`);
  if (constraint === 'queues_one_default_idx') return new AppError('CONFLICT', 'Another queue became the default at the same time; try again');
  return err;
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Queues, cached on every node: the call path reads them without a database round trip
 * (and keeps routing when the database is down). Changes reload the cache on every node.
 */
export class QueueService {
  private readonly db: Kysely<DB>;
  private readonly defaultCountry: string;
  private byId = new Map<string, QueueConfig>();
  private byDialled = new Map<string, QueueConfig>();
  private defaultQueue: QueueConfig | null = null;
  /** Called after a change here, so other nodes reload (set by the container). */
  onChange: () => void = () => {};

  constructor(db: Kysely<DB>, opts: { defaultCountry: string }) {
    this.db = db;
    this.defaultCountry = opts.defaultCountry;
  }

  readonly reload = latestLoadWins(() => listQueues(this.db), (rows) => this.index(rows));

  private index(rows: Awaited<ReturnType<typeof listQueues>>): void {
    const byId = new Map<string, QueueConfig>();
    const byDialled = new Map<string, QueueConfig>();
    for (const q of rows.map(toConfig)) {
      byId.set(q.id, q);
      for (const n of q.dialledNumbers) for (const k of dialledKeys(n, this.defaultCountry)) byDialled.set(k, q);
    }
    this.byId = byId;
    this.byDialled = byDialled;
    this.defaultQueue = [...byId.values()].find((q) => q.isDefault) ?? null;
  }

  all(): QueueConfig[] {
    return [...this.byId.values()];
  }

  get(id: string): QueueConfig | undefined {
    return this.byId.get(id);
  }

  /** The queue a dialled number selects, else the default queue (null when there is none). */
  forDialled(number: string | null): QueueConfig | null {
    if (number) {
      for (const k of dialledKeys(number, this.defaultCountry)) {
        const q = this.byDialled.get(k);
        if (q) return q;
      }
    }
    return this.defaultQueue;
  }

  async create(actor: Actor, id: string, input: QueueInput): Promise<QueueConfig> {
    this.check(input, id);
    const row = await this.db.transaction().execute(async (trx) => {
      if (await findQueue(trx, id)) throw new AppError('CONFLICT', `Queue ${id} exists already`);
      // The old default steps down first: the unique index allows one default at any moment.
      if (input.isDefault) await clearDefault(trx, id);
      const created = await insertQueue(trx, { ...this.columns(input), id, name: input.name, skill: input.skill }).catch((err: unknown) => {
        throw createConflict(err, id);
      });
      await recordAudit(trx, actor, { action: 'queue.create', entity: 'queue', entityId: id, after: created });
      return created;
    });
    await this.changed();
    return toConfig(row);
  }

  async update(actor: Actor, id: string, input: Partial<QueueInput>): Promise<QueueConfig> {
    const current = this.byId.get(id);
    if (!current) throw new AppError('QUEUE_NOT_FOUND', `No queue ${id}`);
    this.check({ ...current, ...input }, id);
    const row = await this.db.transaction().execute(async (trx) => {
      const before = await findQueue(trx, id);
      if (!before || before.deleted_at) throw new AppError('QUEUE_NOT_FOUND', `No queue ${id}`);
      if (input.isDefault) await clearDefault(trx, id);
      const after = await updateQueue(trx, id, this.columns(input));
      await recordAudit(trx, actor, { action: 'queue.update', entity: 'queue', entityId: id, before, after });
      return after;
    });
    await this.changed();
    return toConfig(row);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    const current = this.byId.get(id);
    if (!current) throw new AppError('QUEUE_NOT_FOUND', `No queue ${id}`);
    if (current.isDefault) throw new AppError('CONFLICT', 'The default queue cannot be deleted; make another queue the default first');
    await this.db.transaction().execute(async (trx) => {
      const after = await updateQueue(trx, id, { deleted_at: new Date(), is_default: false, dialled_numbers: [] });
      await recordAudit(trx, actor, { action: 'queue.delete', entity: 'queue', entityId: id, after: { deleted_at: after.deleted_at } });
    });
    await this.changed();
  }

  private async changed() {
    await this.reload();
    this.onChange();
  }

  private check(input: Partial<QueueInput>, id: string) {
    if (input.timeZone !== undefined && !validTimeZone(input.timeZone)) {
      throw new AppError('VALIDATION_FAILED', `Unknown time zone "${input.timeZone}"`, { field: 'timeZone' });
    }
    for (const n of input.dialledNumbers ?? []) {
      const keys = dialledKeys(n, this.defaultCountry);
      if (!keys.length) throw new AppError('VALIDATION_FAILED', `Dialled number "${n}" has no digits`, { field: 'dialledNumbers' });
      const taken = keys.map((k) => this.byDialled.get(k)).find((q) => q && q.id !== id);
      if (taken) throw new AppError('CONFLICT', `Dialled number "${n}" already selects queue ${taken.id}`, { queue: taken.id });
    }
  }

  private columns(input: Partial<QueueInput>) {
    const c: Record<string, unknown> = {};
    if (input.name !== undefined) c.name = input.name;
    if (input.dialledNumbers !== undefined) c.dialled_numbers = [...new Set(input.dialledNumbers.map((n) => n.trim()))];
    if (input.skill !== undefined) c.skill = input.skill;
    if (input.isDefault !== undefined) c.is_default = input.isDefault;
    if (input.slThresholdSeconds !== undefined) c.sl_threshold_seconds = input.slThresholdSeconds;
    if (input.shortAbandonSeconds !== undefined) c.short_abandon_seconds = input.shortAbandonSeconds;
    if (input.maxWaitSeconds !== undefined) c.max_wait_seconds = input.maxWaitSeconds;
    if (input.ringTimeoutSeconds !== undefined) c.ring_timeout_seconds = input.ringTimeoutSeconds;
    if (input.wrapUpSeconds !== undefined) c.wrap_up_seconds = input.wrapUpSeconds;
    if (input.overflowTarget !== undefined) c.overflow_target = input.overflowTarget;
    if (input.timeZone !== undefined) c.time_zone = input.timeZone;
    return c as Updateable<QueuesTable>;
  }
}
