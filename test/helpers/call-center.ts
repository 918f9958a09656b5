import type { TestApp } from './app.ts';
import { TestClient } from './agent-client.ts';

/** A small contact center on a TestApp: queues, agents with desktops, calls driven by the call-event API. */
export class CallCenter {
  readonly t: TestApp;
  readonly url: string;
  private readonly clients: TestClient[] = [];

  private constructor(t: TestApp, url: string) {
    this.t = t;
    this.url = url;
  }

  static async on(t: TestApp): Promise<CallCenter> {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    return new CallCenter(t, address);
  }

  async api<T = any>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }> {
    const res = await this.t.app.inject({
      method: method as 'GET',
      url: path,
      headers: { authorization: token ? `Bearer ${token}` : this.t.admin.authorization },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    return { status: res.statusCode, body: res.body ? res.json() : (undefined as T) };
  }

  /** A queue with these settings: made, or — when it exists already (the demo seeds some) — changed to them. */
  async queue(id: string, dnis: string[], extra: Record<string, unknown> = {}) {
    const settings = { name: id, skill: id, dialledNumbers: dnis, ...extra };
    let r = await this.api('POST', '/v1/queues', { id, ...settings });
    if (r.status === 409 && (await this.api('GET', '/v1/queues')).body.some((q: { id: string }) => q.id === id)) r = await this.api('PATCH', `/v1/queues/${id}`, settings);
    if (r.status !== 201 && r.status !== 200) throw new Error(`queue: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** An agent and its desktop (connected, not yet ready unless `ready`). */
  async agent(name: string, skills: string[], opts: { ready?: boolean; sipUri?: string } = {}) {
    const r = await this.api<{ agent: { id: string }; key: string }>('POST', '/v1/agents', { name, skills, ...(opts.sipUri ? { sipUri: opts.sipUri } : {}) });
    if (r.status !== 201) throw new Error(`agent: ${JSON.stringify(r.body)}`);
    const desk = await this.desk(r.body.key);
    if (opts.ready) {
      const ack = await desk.emit('agent:set-state', { status: 'ready' });
      if (!ack.ok) throw new Error(`ready: ${JSON.stringify(ack)}`);
    }
    return { id: r.body.agent.id, key: r.body.key, desk };
  }

  async desk(key: string, namespace: '/agent' | '/supervisor' = '/agent') {
    const c = await TestClient.connect(this.url, namespace, key);
    this.clients.push(c);
    return c;
  }

  async customer(displayName: string, number: string, extra: Record<string, unknown> = {}) {
    const r = await this.api('POST', '/v1/customers?force=true', { displayName, phones: [{ number }], ...extra });
    if (r.status !== 201) throw new Error(`customer: ${JSON.stringify(r.body)}`);
    return r.body as { id: number };
  }

  event(body: Record<string, unknown>) {
    return this.api('POST', '/v1/call-events', body);
  }

  offer(callId: string, from: string | undefined, to: string, extra: Record<string, unknown> = {}) {
    return this.event({ type: 'offered', callId, ...(from !== undefined ? { from } : {}), to, ...extra });
  }

  /** Waits until the call log row of a call satisfies `ok` (the log is written just after the event). */
  async row(callId: string, ok: (row: Record<string, any>) => boolean = () => true, timeoutMs = 10_000): Promise<Record<string, any>> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const row = await this.t.database.db.selectFrom('calls').selectAll().where('id', '=', callId).executeTakeFirst();
      if (row && ok(row)) return row;
      if (Date.now() > until) throw new Error(`call ${callId} row never matched: ${JSON.stringify(row)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Polls `read` until `ok` accepts its result (the call log lands just after the event that caused it). */
  async until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (ok(value)) return value;
      if (Date.now() > deadline) throw new Error(`never true: ${JSON.stringify(value)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  close() {
    for (const c of this.clients) c.close();
  }
}
