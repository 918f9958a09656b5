import { isIPv4, isIPv6 } from 'node:net';
import type { LiveState } from '../routing/live/live-state.ts';
import { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { refillMs, type TokenLimit } from '../shared/token-bucket.ts';

/**
 * Failed sign-ins (REST bearer keys and socket handshakes together) each source address may make:
 * a burst of 20, then 20 a minute (one every 3 s). Far above people mistyping a key or a desktop
 * with a revoked one retrying; far below guessing keys, each guess a database query otherwise.
 * An office behind one NAT address shares the budget, which is why the burst is generous.
 */
export const AUTH_FAILURE_LIMIT: TokenLimit = { burst: 20, perSecond: 20 / 60 };

/** What a refused address is told (REST 429 message, socket connect_error message). */
export const tooManyFailures = (retryAfter: number) => `Too many failed sign-ins from this address; try again in ${retryAfter} s`;

/** Addresses remembered as blocked on this node at most; beyond it the oldest are dropped first. */
const MAX_BLOCKED = 10_000;

/**
 * Key lookups one address may have running at once on a node; more wait their turn. A flood of
 * parallel guesses then reaches the database about a burst's worth of times before the address is
 * refused, not once per request; a rush of right keys (an office signing in at nine) just queues briefly.
 */
export const PARALLEL_LOOKUPS = 5;
/** How long an attempt may wait for a lookup turn; then 503 (a slow store must not queue sign-ins without end). */
export const LOOKUP_WAIT_MS = 5000;

export type SignIn<A> =
  | { readonly outcome: 'ok'; readonly actor: A }
  /** No key at all: refused, but not counted (it costs nothing and guesses nothing). */
  | { readonly outcome: 'missing' }
  /** A key that is not (or no longer) valid: counted. */
  | { readonly outcome: 'refused' }
  /** Too many failures from this address: refused without looking at the key. */
  | { readonly outcome: 'limited'; readonly retryAfter: number };

/**
 * Limits failed sign-ins per source address, counted in the shared live state (`auth-fail:<address>`
 * token buckets), so across every node when Redis is configured.
 *
 * Only failures use up the budget, but once it is used up every attempt from the address is
 * refused — a valid key too — until the Retry-After has passed: telling a right key from a wrong
 * one takes the database query the limit exists to spare, and would let guessing go on.
 *
 * A node remembers the addresses it blocked, so refusing them costs neither Redis nor the database.
 * Another node learns of a block at that address's next failure there (its first take from the
 * shared, empty bucket), so a valid key from a blocked address may still pass on a node that has
 * not seen it fail yet. If the count cannot be kept (Redis unreachable), failures are let through
 * as plain 401s rather than lock everyone out — as a trunk's calls-per-second cap does.
 *
 * The address is the connection's peer: no proxy header is trusted. Behind a reverse proxy every
 * client would share the proxy's budget, so such a deployment needs fastify's trustProxy first.
 */
export class AuthFailureLimit {
  private readonly live: Pick<LiveState, 'takeToken'>;
  private readonly log: Logger;
  private readonly limit: TokenLimit;
  private readonly now: () => number;
  /** address key → ms until which this node refuses it (kept after, to tell a new episode from a continuing one). */
  private readonly blocked = new Map<string, number>();
  /** address key → lookups running (at most PARALLEL_LOOKUPS) and the attempts waiting for one to end. */
  private readonly lanes = new Map<string, { running: number; waiting: Array<() => void> }>();
  /** Whether the last count failed (logged once per outage, not once per attempt). */
  private uncounted = false;

  constructor(live: Pick<LiveState, 'takeToken'>, opts: { log: Logger; limit?: TokenLimit; now?: () => number }) {
    this.live = live;
    this.log = opts.log;
    this.limit = opts.limit ?? AUTH_FAILURE_LIMIT;
    this.now = opts.now ?? Date.now;
  }

  /** One sign-in attempt from `address` with `token` (null: none sent); `authenticate` runs only when the address may try. */
  async signIn<A>(address: string, token: string | null, authenticate: (token: string) => Promise<A | null>, known: (token: string) => A | null = () => null): Promise<SignIn<A>> {
    const key = addressKey(address);
    const wait = this.blockedFor(key);
    if (wait > 0) return { outcome: 'limited', retryAfter: wait };
    if (token === null) return { outcome: 'missing' };
    // A key this node knows already needs no lookup, so it never waits behind others' lookups.
    const cached = known(token);
    if (cached) return { outcome: 'ok', actor: cached };
    await this.acquire(key);
    let actor: A | null;
    try {
      // A turn waited for behind guesses that got the address refused is refused too, unlooked-up.
      const blocked = this.blockedFor(key);
      if (blocked > 0) return { outcome: 'limited', retryAfter: blocked };
      actor = await authenticate(token);
    } finally {
      this.release(key);
    }
    if (actor) return { outcome: 'ok', actor };
    const retryAfter = await this.failed(key);
    return retryAfter > 0 ? { outcome: 'limited', retryAfter } : { outcome: 'refused' };
  }

  private async acquire(key: string): Promise<void> {
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = { running: 0, waiting: [] }));
    if (lane.running < PARALLEL_LOOKUPS) {
      lane.running++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const turn = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        lane.waiting.splice(lane.waiting.indexOf(turn), 1);
        reject(new AppError('UNAVAILABLE', 'Sign-ins from this address are waiting for the key store; try again shortly'));
      }, LOOKUP_WAIT_MS);
      lane.waiting.push(turn);
    });
  }

  /** Hands the turn to the next attempt waiting, if any. */
  private release(key: string): void {
    const lane = this.lanes.get(key)!;
    const next = lane.waiting.shift();
    if (next) next();
    else if (--lane.running === 0) this.lanes.delete(key);
  }

  private blockedFor(key: string): number {
    const left = (this.blocked.get(key) ?? 0) - this.now();
    return left > 0 ? Math.ceil(left / 1000) : 0;
  }

  /** Counts a failure; the seconds the address must now wait, or 0 while it has budget left. */
  private async failed(key: string): Promise<number> {
    let wait: number;
    try {
      wait = await this.live.takeToken(`auth-fail:${key}`, this.limit);
      if (this.uncounted) this.log.info('failed sign-ins counted again');
      this.uncounted = false;
    } catch (err) {
      if (!this.uncounted) this.log.warn({ err }, 'failed sign-ins not counted while the shared state is unavailable; none are refused for it');
      this.uncounted = true;
      return 0;
    }
    if (wait > 0) {
      const now = this.now();
      const last = this.blocked.get(key);
      // Once per episode, not at every re-block of an address that keeps on guessing.
      if (last === undefined || now - last > refillMs(this.limit)) this.log.warn({ address: key, retryAfter: wait }, 'too many failed sign-ins: refusing the address for a while');
      this.blocked.delete(key); // re-inserted last, so the oldest block is the first to go when the map is full
      this.blocked.set(key, now + wait * 1000);
      if (this.blocked.size > MAX_BLOCKED) this.blocked.delete(this.blocked.keys().next().value!);
    }
    return wait;
  }
}

/**
 * The address a budget belongs to: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its /64 — one
 * subscriber usually holds a whole /64, so counting single IPv6 addresses would limit nothing.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIPv4(address)) return address;
  const ip = address.replace(/%.*$/, ''); // a zone (fe80::1%eth0) is no part of the address
  if (!isIPv6(ip)) return address;
  const groups = (part: string) => (part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const [head = '', tail] = ip.split('::');
  const h = groups(head);
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - groups(tail).length).fill('0'), ...groups(tail)];
  return `${all
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
