// Requests other than INVITE: OPTIONS keepalives, and methods screenpop does not take. Without a
// handler drachtio-server answers them 503 "No connected clients", which tells a PBX to retry.
import type { Logger } from '../shared/logger.ts';
import { requireCheck, schemeCheck } from './invite-checks.ts';
import type { SipRequest, SipResponse } from './srf.ts';
import type { TrunkService } from './trunk.service.ts';

/** The methods screenpop takes (Allow in 405 and OPTIONS answers). */
export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS';

/**
 * Methods drachtio-server hands to an application that asks for them. It answers or drops the
 * others itself: CANCEL, BYE and UPDATE outside a dialog get 481, and REFER and methods it does
 * not know (FOO) are dropped without an answer, so they never reach screenpop.
 */
export const OTHER_METHODS = ['register', 'message', 'subscribe', 'publish', 'info', 'notify'] as const;

export interface Answer {
  status: number;
  headers: Record<string, string>;
  why: string;
}

/** OPTIONS: 403 for an address no trunk lists, 416 for a scheme other than sip/sips/tel, 420 for a required extension, else 200. */
export function optionsAnswer(o: { knownSource: boolean; uri: string; require: string | undefined }): Answer {
  if (!o.knownSource) return { status: 403, headers: {}, why: 'source address is not a registered trunk' };
  const scheme = schemeCheck(o.uri);
  if (!scheme.ok) return { status: scheme.status, headers: {}, why: scheme.why };
  const required = requireCheck(o.require);
  if (!required.ok) return { status: required.status, headers: required.headers ?? {}, why: required.why };
  return { status: 200, headers: { Allow: ALLOW, Accept: 'application/sdp' }, why: 'keepalive' };
}

/** Any other request: nothing for an ACK, 481 inside a dialog screenpop does not hold (To tag), else 405 with Allow. */
export function otherRequestAnswer(method: string, to: string | undefined): Answer | null {
  if (method === 'ACK') return null;
  if (/;\s*tag=/i.test(to ?? '')) return { status: 481, headers: {}, why: `${method} for an unknown dialog` };
  return { status: 405, headers: { Allow: ALLOW }, why: `${method} not taken` };
}

type Handler = (req: SipRequest, res: SipResponse) => void;

/** OPTIONS keepalives from trunks. */
export function optionsHandler(trunks: TrunkService, log: Logger): Handler {
  return (req, res) => {
    const a = optionsAnswer({ knownSource: trunks.forSource(req.source_address) !== null, uri: req.uri, require: req.get('Require') });
    // Keepalives come every few seconds from every trunk: debug only.
    if (a.status !== 200) log.debug({ status: a.status, why: a.why, source: req.source_address }, 'OPTIONS refused');
    res.send(a.status, { headers: a.headers });
  };
}

/** REGISTER, MESSAGE, ... and in-dialog requests for dialogs drachtio-srf does not hold. */
export function otherRequestHandler(log: Logger): Handler {
  return (req, res) => {
    const a = otherRequestAnswer(req.method, req.get('To'));
    if (!a || res.finalResponseSent) return;
    log.debug({ status: a.status, method: req.method, source: req.source_address }, 'SIP request refused');
    res.send(a.status, { headers: a.headers });
  };
}
