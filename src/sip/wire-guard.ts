// SIP messages from drachtio-server, screened before drachtio-srf parses them. drachtio-srf 5.0.29
// keeps folded header lines as they came (CRLF and all) and copies them into its responses, where
// drachtio-server drops the continuation: a 200 whose From has lost its tag, so the caller's ACK
// and BYE match no dialog. And a request its parser cannot read (a request line with two spaces)
// is only printed to stderr: nothing answers, and drachtio-server forgets the INVITE 64 s later
// without a final response. And it keeps the INVITEs it has not answered by Call-ID: a second INVITE
// with the Call-ID of one still waiting takes its place, so the first one's CANCEL finds nothing
// (and the first call waits in the queue for a caller long gone). So headers are unfolded here,
// and what drachtio-srf could not read, or would mix up, is answered here, through the
// transaction drachtio-server gave it.
import type { Logger } from '../shared/logger.ts';
import { srfParse, type ParsedSipMessage, type SrfClient } from './srf.ts';

const CRLF = '\r\n';

export type Screened =
  /** Hand it to drachtio-srf (headers unfolded). */
  | { kind: 'pass'; text: string }
  /** drachtio-srf cannot read it: answer the request here. */
  | { kind: 'refuse'; status: 400 | 482; method: string; transactionId: string; why: string }
  /** drachtio-srf cannot read it and there is nothing to answer (a response, an ACK, a CANCEL drachtio-server answered). */
  | { kind: 'drop'; why: string };

/**
 * Joins folded header lines (a line starting with a space or tab continues the previous one) with
 * a single space, as RFC 3261 §7.3.1 allows any receiver to; the body is left as it is.
 */
export function unfoldHeaders(text: string): string {
  const end = text.indexOf(CRLF + CRLF);
  const head = end < 0 ? text : text.slice(0, end);
  const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
  return end < 0 ? unfolded : unfolded + text.slice(end);
}

/**
 * What to do with one SIP message drachtio-server sent (`leader`: the fields of its first line,
 * `text`: the SIP message). Only requests from the network are ever answered here.
 * `inviteWaiting`: whether drachtio-srf holds an unanswered INVITE with this Call-ID.
 */
export function screenMessage(
  leader: readonly string[],
  text: string,
  parse: (text: string) => ParsedSipMessage | null,
  inviteWaiting: (callId: string) => boolean = () => false,
): Screened {
  if (leader[2] !== 'network') return { kind: 'pass', text };
  const unfolded = unfoldHeaders(text);
  const transactionId = leader[8] ?? '';
  const parsed = parse(unfolded);
  if (parsed) {
    const callId = parsed.get('Call-ID') ?? '';
    const newInvite = parsed.method === 'INVITE' && !/;\s*tag\s*=/i.test(parsed.get('To') ?? '');
    if (newInvite && transactionId && callId && inviteWaiting(callId)) {
      return { kind: 'refuse', status: 482, method: 'INVITE', transactionId, why: 'INVITE repeats the Call-ID of an INVITE not yet answered' };
    }
    return { kind: 'pass', text: unfolded };
  }
  const first = unfolded.slice(0, Math.max(0, unfolded.indexOf(CRLF))) || unfolded.slice(0, 200);
  const method = /^([A-Za-z]+)\s/.exec(first)?.[1]?.toUpperCase() ?? '';
  if (first.startsWith('SIP/') || method === '') return { kind: 'drop', why: 'unreadable response or start line' };
  if (method === 'ACK' || method === 'CANCEL') return { kind: 'drop', why: `unreadable ${method}` };
  if (!transactionId) return { kind: 'drop', why: `unreadable ${method} without a transaction` };
  const why = /^\S+ \S+ SIP\/\d\.\d$/.test(first) ? 'headers unreadable' : 'malformed request line';
  return { kind: 'refuse', status: 400, method, transactionId, why };
}

interface DrachtioAgent {
  wp?: WireProtocol;
  /** Per connection to drachtio-server: its INVITEs not yet answered, by Call-ID. */
  mapServer?: Map<unknown, { pendingNetworkInvites?: Map<string, unknown> }>;
}

interface WireProtocol {
  listeners(event: 'msg'): Array<(socket: unknown, msg: string) => void>;
  removeAllListeners(event: 'msg'): void;
  on(event: 'msg', fn: (socket: unknown, msg: string) => void): void;
  send(socket: unknown, msg: string): string;
}

/**
 * Puts the screen between drachtio-server and drachtio-srf: call right after `srf.connect()`
 * (the connection's message listener exists from then on, and survives reconnects). A test double
 * without drachtio-srf's internals is left alone.
 */
export function installWireGuard(srf: SrfClient, log: Logger): void {
  const agent = (srf as unknown as { _app?: { client?: DrachtioAgent } })._app?.client;
  const wp = agent?.wp;
  if (!wp) return;
  const handlers = wp.listeners('msg');
  wp.removeAllListeners('msg');
  wp.on('msg', (socket, msg) => {
    const pos = msg.indexOf(CRLF);
    const leader = (pos < 0 ? msg : msg.slice(0, pos)).split('|');
    if (leader[1] !== 'sip' || pos < 0) {
      for (const h of handlers) h(socket, msg);
      return;
    }
    const waiting = (callId: string) => agent.mapServer?.get(socket)?.pendingNetworkInvites?.has(callId) === true;
    const screened = screenMessage(leader, msg.slice(pos + 2), srfParse, waiting);
    if (screened.kind === 'pass') {
      const forward = screened.text === msg.slice(pos + 2) ? msg : msg.slice(0, pos + 2) + screened.text;
      for (const h of handlers) h(socket, forward);
      return;
    }
    const source = leader[5];
    if (screened.kind === 'drop') {
      log.warn({ why: screened.why, source }, 'SIP message from drachtio-server not readable; dropped');
      return;
    }
    log.info({ status: screened.status, method: screened.method, why: screened.why, source }, screened.status === 400 ? 'SIP request refused: not readable' : 'SIP request refused');
    const phrase = screened.status === 400 ? 'Bad Request' : 'Loop Detected';
    wp.send(socket, `sip|${screened.transactionId}|${CRLF}SIP/2.0 ${screened.status} ${phrase}${CRLF}Content-Length: 0${CRLF}${CRLF}`);
  });
}
