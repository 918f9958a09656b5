import type { Kysely, Selectable } from 'kysely';
import { isSupportedCountry } from 'libphonenumber-js/max';
import type { DB, TrunksTable } from '../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { violatedUnique } from '../db/unique-violation.ts';
import { dialledKeys, type QueueService } from '../routing/queue.service.ts';
import { AppError } from '../shared/errors.ts';
import { latestLoadWins } from '../shared/latest-load.ts';
import { contains, parseCidr, type Cidr } from './cidr.ts';
import { ha1 } from './digest-auth.ts';
import { deleteTrunk, findTrunk, insertTrunk, listTrunks, updateTrunk } from './trunk.repository.ts';
import type { CreateTrunkInput, UpdateTrunkInput } from './trunk.schemas.ts';

/** A trunk as the API shows it (never its password or hash). */
export interface Trunk {
  readonly name: string;
  readonly description: string | null;
  readonly sources: string[];
  readonly auth: { readonly username: string; readonly realm: string } | null;
  readonly defaultCountry: string;
  readonly dialledQueues: Readonly<Record<string, string>>;
  readonly maxCallsPerSecond: number | null;
  readonly outboundUri: string | null;
}

/** A trunk ready for the INVITE path: parsed blocks, the digest hash, dialled numbers by their lookup keys. */
export interface TrunkEntry {
  readonly trunk: Trunk;
  readonly cidrs: readonly Cidr[];
  readonly ha1: string | null;
  readonly dnis: ReadonlyMap<string, string>;
}

export const DEFAULT_REALM = 'screenpop';

/** JSON of a map with its keys in order (jsonb does not keep the order they were written in). */
const sortedJson = (m: Readonly<Record<string, string>>) => JSON.stringify(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

const view = (r: Selectable<TrunksTable>): Trunk =>
  Object.freeze({
    name: r.name,
    description: r.description,
    sources: [...r.sources],
    auth: r.auth_username && r.auth_realm ? Object.freeze({ username: r.auth_username, realm: r.auth_realm }) : null,
    defaultCountry: r.default_country,
    dialledQueues: Object.freeze({ ...(typeof r.dialled_queues === 'string' ? JSON.parse(r.dialled_queues) : r.dialled_queues) }),
    maxCallsPerSecond: r.max_calls_per_second,
    outboundUri: r.outbound_uri,
  });

function entry(r: Selectable<TrunksTable>): TrunkEntry {
  const trunk = view(r);
  const dnis = new Map<string, string>();
  for (const [number, queueId] of Object.entries(trunk.dialledQueues)) for (const k of dialledKeys(number, trunk.defaultCountry)) dnis.set(k, queueId);
  return { trunk, cidrs: trunk.sources.map((s) => parseCidr(s)).filter((c): c is Cidr => c !== null), ha1: r.auth_ha1, dnis };
}

/**
 * SIP trunks, cached on every node: the INVITE path finds a trunk by source address without a
 * database round trip. Changes are audited and reload the cache on every node.
 */
export class TrunkService {
  private readonly db: Kysely<DB>;
  private readonly queues: QueueService;
  private readonly defaultCountry: string;
  private entries: TrunkEntry[] = [];
  /** Called after a change here, so other nodes reload (set by the container). */
  onChange: () => void = () => {};

  constructor(db: Kysely<DB>, queues: QueueService, opts: { defaultCountry: string }) {
    this.db = db;
    this.queues = queues;
    this.defaultCountry = opts.defaultCountry;
  }

  readonly reload = latestLoadWins(
    () => listTrunks(this.db),
    (rows) => (this.entries = rows.map(entry)),
  );

  all(): Trunk[] {
    return this.entries.map((e) => e.trunk);
  }

  get(name: string): Trunk {
    const found = this.entries.find((e) => e.trunk.name === name);
    if (!found) throw new AppError('TRUNK_NOT_FOUND', `No trunk ${name}`);
    return found.trunk;
  }

  /** The trunk a request from `address` belongs to: the most specific block that holds it; null when none does. */
  forSource(address: string): TrunkEntry | null {
    let best: TrunkEntry | null = null;
    let bestPrefix = -1;
    for (const e of this.entries) {
      for (const c of e.cidrs) {
        if (c.prefix > bestPrefix && contains(c, address)) {
          best = e;
          bestPrefix = c.prefix;
        }
      }
    }
    return best;
  }

  /** The queue a trunk maps a dialled number to, when it maps it and the queue still exists. */
  queueFor(e: TrunkEntry, dialled: string | null): string | null {
    if (!dialled) return null;
    for (const k of dialledKeys(dialled, e.trunk.defaultCountry)) {
      const id = e.dnis.get(k);
      if (id && this.queues.get(id)) return id;
    }
    return null;
  }

  /** The trunk click-to-dial calls leave through: the one named, or the first with an outbound URI. */
  outbound(name?: string): Trunk | null {
    if (name) {
      const t = this.get(name);
      if (!t.outboundUri) throw new AppError('VALIDATION_FAILED', `Trunk ${name} has no outboundUri for calls to customers`, { field: 'trunk' });
      return t;
    }
    return this.all().find((t) => t.outboundUri) ?? null;
  }

  async create(actor: Actor, input: CreateTrunkInput, opts: { lenientQueues?: boolean } = {}): Promise<Trunk> {
    const values = this.columns(input, opts);
    const row = await this.db.transaction().execute(async (trx) => {
      if (await findTrunk(trx, input.name)) throw new AppError('CONFLICT', `Trunk ${input.name} exists already`);
      const created = await insertTrunk(trx, { name: input.name, default_country: this.defaultCountry, sources: [], ...values } as Parameters<typeof insertTrunk>[1]).catch((err: unknown) => {
        // A concurrent create of the same name committed after the check above: 409, not 500.
        throw violatedUnique(err) === 'trunks_pkey' ? new AppError('CONFLICT', `Trunk ${input.name} exists already`) : err;
      });
      await recordAudit(trx, actor, { action: 'trunk.create', entity: 'trunk', entityId: input.name, after: view(created) });
      return created;
    });
    await this.changed();
    return view(row);
  }

  async update(actor: Actor, name: string, input: UpdateTrunkInput, opts: { lenientQueues?: boolean } = {}): Promise<Trunk> {
    const values = this.columns(input, opts);
    const row = await this.db.transaction().execute(async (trx) => {
      const before = await findTrunk(trx, name);
      if (!before) throw new AppError('TRUNK_NOT_FOUND', `No trunk ${name}`);
      const after = await updateTrunk(trx, name, values);
      await recordAudit(trx, actor, { action: 'trunk.update', entity: 'trunk', entityId: name, before: view(before), after: view(after) });
      return after;
    });
    await this.changed();
    return view(row);
  }

  async remove(actor: Actor, name: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const before = await deleteTrunk(trx, name);
      if (!before) throw new AppError('TRUNK_NOT_FOUND', `No trunk ${name}`);
      await recordAudit(trx, actor, { action: 'trunk.delete', entity: 'trunk', entityId: name, before: view(before) });
    });
    await this.changed();
  }

  /**
   * Declares trunks from a file at start: each is created, or updated when it exists, so the file
   * is the truth for the trunks it names. Returns the queue ids it maps to that do not exist (yet).
   */
  async declare(actor: Actor, trunks: readonly CreateTrunkInput[]): Promise<{ created: number; updated: number; unknownQueues: string[] }> {
    let created = 0;
    let updated = 0;
    const unknown = new Set<string>();
    for (const t of trunks) {
      for (const q of Object.values(t.dialledQueues ?? {})) if (!this.queues.get(q)) unknown.add(q);
      const existing = this.entries.find((e) => e.trunk.name === t.name);
      if (existing && this.declaredAsStored(existing, t)) continue;
      if (existing) {
        const { name, ...rest } = t;
        await this.update(actor, name, { description: null, auth: null, dialledQueues: {}, maxCallsPerSecond: null, outboundUri: null, ...rest }, { lenientQueues: true });
        updated++;
      } else {
        await this.create(actor, t, { lenientQueues: true });
        created++;
      }
    }
    return { created, updated, unknownQueues: [...unknown] };
  }

  /** Whether a trunk in the file says what the store says already (then nothing is written or audited). */
  private declaredAsStored(e: TrunkEntry, t: CreateTrunkInput): boolean {
    const realm = t.auth?.realm ?? DEFAULT_REALM;
    const sources = t.sources.map((s) => parseCidr(s)?.text ?? s);
    const sameAuth = t.auth ? e.trunk.auth?.username === t.auth.username && e.trunk.auth.realm === realm && e.ha1 === ha1(t.auth.username, realm, t.auth.password) : e.trunk.auth === null;
    return (
      sameAuth &&
      (t.description?.trim() || null) === e.trunk.description &&
      JSON.stringify(sources) === JSON.stringify(e.trunk.sources) &&
      (t.defaultCountry ?? e.trunk.defaultCountry) === e.trunk.defaultCountry &&
      sortedJson(t.dialledQueues ?? {}) === sortedJson(e.trunk.dialledQueues) &&
      (t.maxCallsPerSecond ?? null) === e.trunk.maxCallsPerSecond &&
      (t.outboundUri ?? null) === e.trunk.outboundUri
    );
  }

  private async changed() {
    await this.reload();
    this.onChange();
  }

  private columns(input: UpdateTrunkInput, opts: { lenientQueues?: boolean }) {
    const c: Record<string, unknown> = {};
    if (input.description !== undefined) c.description = input.description?.trim() || null;
    if (input.sources !== undefined) {
      c.sources = input.sources.map((s) => {
        const cidr = parseCidr(s);
        if (!cidr) throw new AppError('VALIDATION_FAILED', `"${s}" is not an IP address or CIDR block`, { field: 'sources' });
        return cidr.text;
      });
    }
    if (input.auth !== undefined) {
      const realm = input.auth?.realm ?? DEFAULT_REALM;
      c.auth_username = input.auth?.username ?? null;
      c.auth_realm = input.auth ? realm : null;
      c.auth_ha1 = input.auth ? ha1(input.auth.username, realm, input.auth.password) : null;
    }
    if (input.defaultCountry !== undefined) {
      if (!isSupportedCountry(input.defaultCountry)) throw new AppError('VALIDATION_FAILED', `Unknown country ${input.defaultCountry}`, { field: 'defaultCountry' });
      c.default_country = input.defaultCountry;
    }
    if (input.dialledQueues !== undefined) {
      for (const [number, queueId] of Object.entries(input.dialledQueues)) {
        if (!/\d/.test(number)) throw new AppError('VALIDATION_FAILED', `Dialled number "${number}" has no digits`, { field: 'dialledQueues' });
        if (!opts.lenientQueues && !this.queues.get(queueId)) throw new AppError('QUEUE_NOT_FOUND', `No queue ${queueId} (dialled number ${number})`, { field: 'dialledQueues' });
      }
      c.dialled_queues = JSON.stringify(input.dialledQueues);
    }
    if (input.maxCallsPerSecond !== undefined) c.max_calls_per_second = input.maxCallsPerSecond;
    if (input.outboundUri !== undefined) c.outbound_uri = input.outboundUri;
    return c;
  }
}
