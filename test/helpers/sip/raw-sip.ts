import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';
import { until } from './ports.ts';
import { STATIC_SDP } from './sipp.ts';

const CRLF = '\r\n';

/** A SIP response as the raw peer received it. */
export interface RawResponse {
  status: number;
  text: string;
  header(name: string): string | undefined;
}

function parseResponse(text: string): RawResponse | null {
  const m = /^SIP\/2\.0 (\d{3})/.exec(text);
  if (!m) return null;
  const head = text.split(CRLF + CRLF)[0] ?? '';
  return {
    status: Number(m[1]),
    text,
    header: (name) => {
      const line = head.split(CRLF).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
      return line?.slice(line.indexOf(':') + 1).trim();
    },
  };
}

/**
 * A SIP peer that sends exactly the bytes it is given, for what sipp cannot send: a request line
 * with extra spaces, a caller whose TCP connection goes away mid-call. It keeps every response.
 */
export class RawSipPeer {
  readonly localIp: string;
  readonly localPort: number;
  readonly transport: 'UDP' | 'TCP';
  readonly responses: RawResponse[] = [];
  private readonly sendRaw: (text: string) => void;
  private readonly closeRaw: () => void;

  private constructor(localIp: string, localPort: number, transport: 'UDP' | 'TCP', send: (text: string) => void, close: () => void) {
    this.localIp = localIp;
    this.localPort = localPort;
    this.transport = transport;
    this.sendRaw = send;
    this.closeRaw = close;
  }

  /** A UDP peer on `localIp` (a trunk's source address) sending to drachtio-server at host:port. */
  static async udp(localIp: string, target: { host: string; port: number }): Promise<RawSipPeer> {
    const socket: UdpSocket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, localIp, () => resolve());
    });
    const peer = new RawSipPeer(localIp, socket.address().port, 'UDP', (text) => socket.send(Buffer.from(text), target.port, target.host), () => socket.close());
    socket.on('message', (m) => peer.received(m.toString()));
    return peer;
  }

  /** A TCP connection from `localIp` to drachtio-server; close() drops it as a caller's failing link would. */
  static async tcp(localIp: string, target: { host: string; port: number }): Promise<RawSipPeer> {
    const socket: TcpSocket = connect({ host: target.host, port: target.port, localAddress: localIp });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('error', () => {});
    const peer = new RawSipPeer(localIp, socket.localPort!, 'TCP', (text) => socket.write(text), () => socket.destroy());
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      for (;;) {
        const end = buffer.indexOf(CRLF + CRLF);
        if (end < 0) return;
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(buffer.slice(0, end))?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        peer.received(buffer.slice(0, end + 4 + length));
        buffer = buffer.slice(end + 4 + length);
      }
    });
    return peer;
  }

  private received(text: string) {
    const r = parseResponse(text);
    if (r) this.responses.push(r);
  }

  send(text: string): void {
    this.sendRaw(text);
  }

  /** Waits for a response that satisfies `ok` (its first). */
  async response(ok: (r: RawResponse) => boolean, what: string, timeoutMs = 15_000): Promise<RawResponse> {
    return until(what, () => this.responses.find(ok), timeoutMs).catch((err: Error) => {
      throw new Error(`${err.message}; got: ${this.responses.map((r) => r.text.split(CRLF)[0]).join(' | ') || 'nothing'}`);
    });
  }

  /** The first final response (2xx to 6xx). */
  final(timeoutMs?: number): Promise<RawResponse> {
    return this.response((r) => r.status >= 200, 'a final response', timeoutMs);
  }

  /**
   * An INVITE from this peer. `requestLine` replaces the usual one; `headers` are added; Contact
   * is this peer's unless `contact` is null.
   */
  invite(o: { target: string; service: string; callId: string; from?: string; requestLine?: string; contact?: string | null; headers?: string[]; sdp?: boolean }): string {
    const body = o.sdp === false ? '' : STATIC_SDP;
    const transport = this.transport === 'TCP' ? ';transport=tcp' : '';
    const lines = [
      o.requestLine ?? `INVITE sip:${o.service}@${o.target}${transport} SIP/2.0`,
      `Via: SIP/2.0/${this.transport} ${this.localIp}:${this.localPort};branch=z9hG4bK-${Math.random().toString(36).slice(2)}`,
      `From: ${o.from ?? `<sip:+14155550100@pbx>;tag=raw${Math.random().toString(36).slice(2, 8)}`}`,
      `To: <sip:${o.service}@${o.target}>`,
      `Call-ID: ${o.callId}`,
      'CSeq: 1 INVITE',
      'Max-Forwards: 70',
      ...(o.contact === null ? [] : [`Contact: ${o.contact ?? `<sip:caller@${this.localIp}:${this.localPort}${transport}>`}`]),
      ...(o.headers ?? []),
      ...(body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ];
    return lines.join(CRLF);
  }

  /** A request outside a call (REGISTER, MESSAGE, ...) from this peer, without a body. */
  request(o: { method: string; target: string; service: string; callId: string; headers?: string[] }): string {
    return [
      `${o.method} sip:${o.service}@${o.target} SIP/2.0`,
      `Via: SIP/2.0/${this.transport} ${this.localIp}:${this.localPort};branch=z9hG4bK-${Math.random().toString(36).slice(2)}`,
      `From: <sip:pbx@${this.localIp}:${this.localPort}>;tag=raw${Math.random().toString(36).slice(2, 8)}`,
      `To: <sip:${o.service}@${o.target}>`,
      `Call-ID: ${o.callId}`,
      `CSeq: 1 ${o.method}`,
      `Contact: <sip:pbx@${this.localIp}:${this.localPort}>`,
      'Max-Forwards: 70',
      ...(o.headers ?? []),
      'Content-Length: 0',
      '',
      '',
    ].join(CRLF);
  }

  /** The ACK for a non-2xx final response (same branch, the response's To tag). */
  ackFor(invite: string, final: RawResponse): string {
    const get = (name: string) => invite.split(CRLF).find((l) => l.startsWith(`${name}:`)) ?? '';
    const uri = invite.split(CRLF)[0]!.split(/\s+/)[1];
    return [`ACK ${uri} SIP/2.0`, get('Via'), get('From'), `To: ${final.header('To')}`, get('Call-ID'), 'CSeq: 1 ACK', 'Max-Forwards: 70', 'Content-Length: 0', '', ''].join(CRLF);
  }

  close(): void {
    this.closeRaw();
  }
}
