import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verifySignature } from '../../src/webhooks/webhook-signing.ts';

export interface ReceivedDelivery {
  path: string;
  deliveryId: number;
  event: string | undefined;
  /** The raw body, as signed. */
  body: string;
  json: { event: string; at: string; data: Record<string, any> };
  /** verifySignature's verdict with the receiver's secret, at arrival. */
  signatureOk: boolean;
}

/**
 * A webhook receiver on 127.0.0.1 as an integrator would run one: `down()` closes the port
 * (connection refused), `failing` answers 500, otherwise it verifies and takes the delivery.
 */
export class WebhookReceiver {
  /** Deliveries answered 2xx, in arrival order. */
  readonly accepted: ReceivedDelivery[] = [];
  /** Requests answered 500 while `failing`. */
  refused = 0;
  failing = false;
  /** Refuse every n-th request (0 = never): deliveries that need a retry. */
  refuseEvery = 0;
  /** Time taken to answer, so deliveries overlap. */
  delayMs = 0;
  private requests = 0;
  private server: Server;
  private readonly secret: string;
  readonly port: number;

  private constructor(server: Server, port: number, secret: string) {
    this.server = server;
    this.port = port;
    this.secret = secret;
  }

  static async start(secret: string): Promise<WebhookReceiver> {
    const r = new WebhookReceiver(createServer(), 0, secret);
    const port = await r.listen(0);
    (r as { port: number }).port = port;
    return r;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Closes the port: senders get ECONNREFUSED. */
  async down(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async up(): Promise<void> {
    this.server = createServer();
    await this.listen(this.port);
  }

  close(): Promise<void> {
    return this.server.listening ? this.down() : Promise.resolve();
  }

  /** Waits until `ok()` holds (deliveries arrive in the background). */
  async until(ok: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await ok())) {
      if (Date.now() > end) throw new Error(`webhook receiver: ${what} did not happen (accepted ${this.accepted.length}, refused ${this.refused})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private listen(port: number): Promise<number> {
    this.server.on('request', (req, res) => {
      void readBody(req).then(async (body) => {
        const n = ++this.requests;
        if (this.delayMs) await new Promise((r) => setTimeout(r, Math.random() * this.delayMs));
        if (this.failing || (this.refuseEvery && n % this.refuseEvery === 0)) {
          this.refused++;
          res.writeHead(500).end('try later');
          return;
        }
        const header = req.headers[SIGNATURE_HEADER];
        this.accepted.push({
          path: req.url ?? '',
          deliveryId: Number(req.headers[DELIVERY_HEADER]),
          event: req.headers[EVENT_HEADER] as string | undefined,
          body,
          json: JSON.parse(body),
          signatureOk: verifySignature(this.secret, typeof header === 'string' ? header : undefined, body, 300, Date.now()).ok,
        });
        res.writeHead(204).end();
      });
    });
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve((this.server.address() as AddressInfo).port));
    });
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
