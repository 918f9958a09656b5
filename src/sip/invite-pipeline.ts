import type { CallService } from '../calls/call.service.ts';
import { maskPhone } from '../customers/phone-number.ts';
import { AppError } from '../shared/errors.ts';
import { toClientError } from '../shared/error-mapping.ts';
import type { Logger } from '../shared/logger.ts';
import { parseCallerIdentity, type CallerIdentity } from './caller-identity.ts';
import { challenge, trunkNonceSigner, verifyDigest } from './digest-auth.ts';
import { acceptCheck, contactCheck, dialledFromUri, offerCheck, requireCheck, type Check } from './invite-checks.ts';
import { SipCall } from './sip-call.ts';
import { callIdOf, type SipRequest, type SipResponse, type SrfClient } from './srf.ts';
import type { TrunkEntry, TrunkService } from './trunk.service.ts';

/** What the steps learn about one INVITE, kept on the request. */
export interface InviteContext {
  log: Logger;
  cancelled: boolean;
  trunk: TrunkEntry | null;
  dialled: string | null;
  caller: CallerIdentity | null;
  /** The call's key where it came from: the Call-ID, or for a Call-ID an ended call had, the Call-ID with the From tag. */
  externalId: string;
  /** Refuses the INVITE if the steps before the offer have not finished by then. */
  deadline: NodeJS.Timeout | null;
}

export interface PipelineDeps {
  srf: SrfClient;
  calls: CallService;
  trunks: TrunkService;
  /** Takes a call from a trunk's per-second cap, across all nodes: 0, or seconds to wait (LiveState.takeCallSlot). */
  takeCallSlot: (trunk: string, perSecond: number) => Promise<number>;
  /** How long a digest nonce stays good. */
  nonceTtlMs: number;
  log: Logger;
  earlyMediaUri?: string;
  isConnected?: () => boolean;
  /** Each call in progress, from its ringback to its end (the gateway ends them all if drachtio-server goes away). */
  onCall?: (call: SipCall) => void;
  onFinished?: (call: SipCall) => void;
  /** How long the steps before the offer may take before the INVITE is refused with 503 (default 10 s). */
  stepsDeadlineMs?: number;
  /** How long looking up an earlier call with the same Call-ID may take before the INVITE is taken as a new call (default 1 s). */
  callIdLookupMs?: number;
}

type Next = (err?: unknown) => void;
type Step = (req: SipRequest, res: SipResponse, next: Next) => void;

const ctx = (req: SipRequest) => req.locals as InviteContext;

/** Ends an INVITE with a final response and one log line (no personal data: status, reason, trunk). */
function refuse(req: SipRequest, res: SipResponse, status: number, why: string, headers: Record<string, string> = {}, level: 'info' | 'debug' = 'info') {
  const c = ctx(req);
  clearTimeout(c.deadline ?? undefined);
  c.log[level]({ status, why, trunk: c.trunk?.trunk.name, source: req.source_address }, 'INVITE refused');
  if (!res.finalResponseSent && !c.cancelled) res.send(status, { headers });
}

/** The INVITE pipeline, step by step; every path ends in a final response. */
export function invitePipeline(d: PipelineDeps): Step[] {
  /** A child logger for the call, a CANCEL listener and a deadline, before anything else can take time; then what the INVITE must have. */
  const startCall: Step = (req, res, next) => {
    const c: InviteContext = {
      log: d.log.child({ sipCallId: callIdOf(req).slice(0, 120) }),
      cancelled: false,
      trunk: null,
      dialled: null,
      caller: null,
      externalId: callIdOf(req),
      deadline: null,
    };
    req.locals = c;
    req.on('cancel', () => {
      c.cancelled = true;
      clearTimeout(c.deadline ?? undefined);
    });
    // A step that hangs (a shared store that neither answers nor fails) must not leave the PBX waiting.
    c.deadline = setTimeout(() => {
      if (!res.finalResponseSent && !c.cancelled) refuse(req, res, 503, 'not offered in time', { 'Retry-After': '5' });
    }, d.stepsDeadlineMs ?? 10_000);
    c.deadline.unref();
    // A re-INVITE (To tag) for a dialog drachtio-srf does not know: the dialog does not exist.
    if (/;\s*tag=/i.test(req.get('To') ?? '')) return refuse(req, res, 481, 'in-dialog INVITE for an unknown dialog');
    const contact = contactCheck(req.get('Contact'));
    if (!contact.ok) return refuse(req, res, contact.status, contact.why);
    next();
  };

  /** Only registered trunks may send calls: by source address, then digest credentials when the trunk has them. */
  const checkTrunk: Step = (req, res, next) => {
    const trunk = d.trunks.forSource(req.source_address);
    if (!trunk) return refuse(req, res, 403, 'source address is not a registered trunk');
    ctx(req).trunk = trunk;
    const auth = trunk.trunk.auth;
    if (auth && trunk.ha1) {
      const now = Date.now();
      const signer = trunkNonceSigner(trunk.ha1, d.nonceTtlMs);
      const result = verifyDigest(signer, { username: auth.username, realm: auth.realm, ha1: trunk.ha1 }, { method: 'INVITE', authorization: req.get('Authorization') }, now);
      if (!result.ok) {
        // No or stale credentials: challenge. Wrong ones: refuse, so a misconfigured PBX does not loop.
        if (result.reason === 'missing' || result.stale) {
          return refuse(req, res, 401, result.stale ? 'stale nonce' : 'credentials needed', { 'WWW-Authenticate': challenge(signer, auth.realm, now, result.stale) }, 'debug');
        }
        return refuse(req, res, 403, `digest authentication failed (${result.reason})`);
      }
    }
    next();
  };

  /** Whether the last cap check failed (logged once per outage, not once per INVITE). */
  let capUnchecked = false;
  /** A trunk above its calls-per-second cap: 503 with Retry-After, so the PBX backs off or routes elsewhere. */
  const limitRate: Step = (req, res, next) => {
    const { trunk } = ctx(req).trunk!;
    if (trunk.maxCallsPerSecond === null) return next();
    d.takeCallSlot(trunk.name, trunk.maxCallsPerSecond).then(
      (waitSeconds) => {
        if (capUnchecked) d.log.info('trunk calls-per-second caps checked again');
        capUnchecked = false;
        if (waitSeconds > 0) return refuse(req, res, 503, 'trunk above its calls-per-second cap', { 'Retry-After': String(waitSeconds) }, 'debug');
        next();
      },
      // The cap protects capacity; refusing calls because it cannot be counted would do more harm.
      (err: unknown) => {
        if (!capUnchecked) d.log.warn({ err }, 'trunk calls-per-second caps not checked while the shared state is unavailable; calls let through');
        capUnchecked = true;
        next();
      },
    );
  };

  /** The dialled number, the offer, required extensions and accepted bodies must make sense before the call is queued. */
  const checkRequest: Step = (req, res, next) => {
    const dialled = dialledFromUri(req.uri);
    if (!dialled.ok) return refuse(req, res, dialled.status, dialled.why);
    const checks: Array<Check<unknown>> = [offerCheck(req.body, req.get('Content-Type')), requireCheck(req.get('Require')), acceptCheck(req.get('Accept'))];
    for (const check of checks) if (!check.ok) return refuse(req, res, check.status, check.why, check.headers);
    ctx(req).dialled = dialled.value;
    next();
  };

  /**
   * A Call-ID seen before: while its call is in progress this INVITE is a merged or looped copy
   * (482); once it has ended, a PBX reusing Call-IDs is making a new call, kept under the Call-ID
   * with its From tag. Decided before the ringback, so a refused INVITE never hears 180.
   */
  const checkCallId: Step = (req, res, next) => {
    const c = ctx(req);
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), d.callIdLookupMs ?? 1000)));
    Promise.race([externalIdFor(d.calls, callIdOf(req), req.get('From')), gaveUp])
      .then(
        (r) => {
          if (r === 'timeout') {
            c.log.warn('earlier calls with this Call-ID not looked up in time; taken as a new call');
            return next();
          }
          if (!r.ok) return refuse(req, res, r.status, r.why);
          if (r.value !== c.externalId) c.log.info({ externalId: r.value.slice(0, 200) }, 'INVITE reuses the Call-ID of an ended call: a new call');
          c.externalId = r.value;
          next();
        },
        (err: unknown) => {
          c.log.warn({ err }, 'earlier calls with this Call-ID not looked up; taken as a new call');
          next();
        },
      )
      .finally(() => clearTimeout(timer));
  };

  /** Who is calling: P-Asserted-Identity, then Remote-Party-ID, then From, read in the trunk's country. */
  const identifyCaller: Step = (req, _res, next) => {
    const c = ctx(req);
    c.caller = parseCallerIdentity({ get: (name) => req.get(name) }, c.trunk!.trunk.defaultCountry);
    next();
  };

  /** Ringback to the caller, and the call into the call service, which queues it and rings an agent. */
  const offerCall: Step = (req, res) => {
    const c = ctx(req);
    clearTimeout(c.deadline ?? undefined);
    if (c.cancelled || res.finalResponseSent) return; // drachtio-server answered the CANCEL with 487 already
    const caller = c.caller!;
    const entry = c.trunk!;
    const channel = new SipCall(
      { srf: d.srf, calls: d.calls, log: c.log, earlyMediaUri: d.earlyMediaUri, isConnected: d.isConnected, onFinished: d.onFinished },
      req,
      res,
      { number: caller.number, name: caller.displayName, withheld: caller.withheld },
      c.externalId,
    );
    d.onCall?.(channel);
    channel.ringback();
    const queueId = d.trunks.queueFor(entry, c.dialled);
    d.calls
      .offer({
        source: 'sip',
        externalId: c.externalId,
        trunk: entry.trunk.name,
        fromNumber: caller.number,
        callerName: caller.displayName,
        withheld: caller.withheld,
        normalised: caller.normalised,
        defaultCountry: entry.trunk.defaultCountry,
        dialledNumber: c.dialled,
        redirectingNumber: caller.redirectingNumber,
        ...(queueId ? { queueId } : {}),
        channel,
      })
      .then((view) => {
        // Two INVITEs with one Call-ID at once (checkCallId saw neither): the earlier call owns it.
        if (d.calls.liveCall(view.id)?.channel !== channel && !channel.finished) {
          channel.reject(482);
          c.log.info({ callId: view.id }, 'INVITE repeats the Call-ID of another call: refused');
          return;
        }
        channel.offered(view.id);
        c.log.info(
          { callId: view.id, trunk: entry.trunk.name, from: caller.withheld ? 'withheld' : caller.number ? maskPhone(caller.number) : 'unknown', queue: view.queueId, match: view.matchOutcome },
          'SIP call offered',
        );
      })
      .catch((err: unknown) => {
        // A raw store fault is a 503 here as it is over HTTP (the error catalogue decides, not this step).
        const code = toClientError(err)?.code ?? 'INTERNAL';
        const status = code === 'QUEUE_NOT_FOUND' ? 404 : code === 'UNAVAILABLE' ? 503 : 500;
        if (status === 500) c.log.error({ err }, 'offering a SIP call failed');
        else c.log.info({ status, code }, 'SIP call not offered');
        channel.reject(status, status === 503 ? { 'Retry-After': '5' } : {});
      });
  };

  return [startCall, checkTrunk, limitRate, checkRequest, checkCallId, identifyCaller, offerCall];
}

/** The call key of an INVITE (see checkCallId): its Call-ID, the Call-ID with the From tag, or a refusal. */
async function externalIdFor(calls: CallService, callId: string, from: string | undefined): Promise<Check<string>> {
  const earlier = async (key: string) => {
    try {
      return await calls.get(await calls.idFor('sip', key));
    } catch (err) {
      if (err instanceof AppError && err.code === 'CALL_NOT_FOUND') return null;
      throw err;
    }
  };
  const first = await earlier(callId);
  if (!first) return { ok: true, value: callId };
  if (first.endedAt === null) return { ok: false, status: 482, why: 'INVITE repeats the Call-ID of a call in progress' };
  const key = reusedCallIdKey(callId, from);
  if (await earlier(key)) return { ok: false, status: 482, why: 'INVITE repeats the Call-ID and From tag of an earlier call' };
  return { ok: true, value: key };
}

/** The key of a new call on a reused Call-ID: the Call-ID with the caller's From tag. */
export function reusedCallIdKey(callId: string, from: string | undefined): string {
  const tag = /;\s*tag\s*=\s*([^;,\s>]+)/i.exec(from ?? '')?.[1] ?? 'none';
  return `${callId};from-tag=${tag.slice(0, 100)}`;
}
