import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { databaseKinds } from '../helpers/database.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { CallCenter } from '../helpers/call-center.ts';
import type { TestClient } from '../helpers/agent-client.ts';
import { arbitraryFor, toJsonText, toUrlText, type Schema } from '../helpers/fuzz.ts';
import { FollowUpBody, LinkCustomerEvent, PromptOutcomeEvent, SetStateEvent, TicketBody, WrapUpEvent } from '../../src/calls/writeback.schemas.ts';

/**
 * Every route of the OpenAPI document and every socket event, fed generated hostile input: the
 * service answers each with a 4xx in the documented shape (or a 2xx), never a 5xx, and is still
 * ready at the end. Seeded: a failure prints the seed and the request that found it.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 190);
const RUNS_PER_EVENT = 150;

type Operation = { method: string; path: string; params: Schema; query: Schema; body?: Schema; contentType?: string };

function operationsOf(doc: { paths: Record<string, Record<string, any>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params: Schema = { type: 'object', properties: {}, required: [] };
      const query: Schema = { type: 'object', properties: {}, required: [] };
      for (const p of op.parameters ?? []) {
        const target = p.in === 'path' ? params : p.in === 'query' ? query : null;
        if (!target) continue;
        target.properties![p.name] = p.schema;
        if (p.required) target.required!.push(p.name);
      }
      const content = op.requestBody?.content ?? {};
      const contentType = Object.keys(content)[0];
      ops.push({ method: method.toUpperCase(), path, params, query, body: contentType ? content[contentType].schema : undefined, contentType });
    }
  }
  return ops;
}

// Routes whose 503 is their documented answer on a node without that part (no SIP here).
const UNAVAILABLE_BY_DESIGN = new Set(['POST /v1/calls/dial']);

function encodeSegment(value: unknown, raw: boolean): string {
  const text = toUrlText(value);
  if (raw) return text.replace(/[/?#\s]/g, '_');
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80'; // a lone surrogate has no UTF-8: send the bytes a careless client would
  }
}

describe.each(databaseKinds().slice(-1))('fuzzing every route and socket event on %s', (kind) => {
  let t: TestApp;
  let cc: CallCenter;
  let desk: TestClient;
  let tried = 0;
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    t = await createTestApp(kind, { DISPOSITIONS: 'resolved,sale' });
    cc = await CallCenter.on(t);
    await cc.queue('fuzz', ['8000'], { ringTimeoutSeconds: 30, wrapUpSeconds: 0 });
    await cc.customer('Ada Lovelace', '+1 415 555 0123');
    desk = (await cc.agent('Fuzzy', ['fuzz'])).desk;
  });
  afterAll(async () => {
    const tally = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
    console.log(`fuzz on ${kind}: ${tried} requests and events tried (seed ${SEED}); HTTP statuses ${tally}`);
    cc?.close();
    await t?.close();
  });

  // First: the HTTP fuzz may revoke the desk's key or delete its agent.
  it('answers every generated socket event with an ack, never an internal error', async () => {
    const events: Array<[string, Schema]> = [
      ['agent:set-state', SetStateEvent as Schema],
      ['call:link-customer', LinkCustomerEvent as Schema],
      ['call:wrap-up', WrapUpEvent as Schema],
      ['prompt:outcome', PromptOutcomeEvent as Schema],
      ['ticket:create', TicketBody as Schema],
      ['follow-up:create', FollowUpBody as Schema],
    ];
    for (const [event, schema] of events) {
      await fc.assert(
        fc.asyncProperty(arbitraryFor(schema), async (payload) => {
          tried++;
          // Over the wire as JSON, as a browser would send it (raw number tokens cannot travel there).
          const sent = JSON.parse(toJsonText(payload).replace(/\b-?1e400\b|\b-?1e-400\b|\b\d{19,}\b/g, '0'));
          const ack = await desk.emit(event, sent);
          expect(ack.ok || ack.error?.code !== 'INTERNAL', `${event} ${JSON.stringify(sent).slice(0, 300)} → ${JSON.stringify(ack)}`).toBe(true);
          if (!ack.ok) expect(typeof ack.error?.message).toBe('string');
        }),
        { seed: SEED, numRuns: RUNS_PER_EVENT, endOnFailure: true },
      );
    }
  });

  it('answers every generated request with a 2xx or a 4xx in the documented shape', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const ops = operationsOf(doc);
    expect(ops.length).toBeGreaterThan(40);
    for (const op of ops) {
      const request = fc.record({
        params: arbitraryFor(op.params),
        query: arbitraryFor(op.query),
        body: op.body ? arbitraryFor(op.body) : fc.constant(undefined),
        rawUrl: fc.boolean(),
        auth: fc.constantFrom('admin', 'admin', 'admin', 'none', 'wrong'),
      });
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const params = (r.params ?? {}) as Record<string, unknown>;
          let url = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeSegment(typeof params === 'object' ? params[name] : params, r.rawUrl) || 'x');
          if (r.query && typeof r.query === 'object') {
            const qs = Object.entries(r.query)
              .map(([k, v]) => `${encodeURIComponent(k.replace(/[\uD800-\uDFFF]/g, ''))}=${encodeSegment(v, r.rawUrl)}`)
              .join('&');
            if (qs) url += `?${qs}`;
          }
          const headers: Record<string, string> = {};
          if (r.auth === 'admin') headers.authorization = t.admin.authorization;
          if (r.auth === 'wrong') headers.authorization = 'Bearer not-a-key-at-all';
          let payload: string | undefined;
          if (r.body !== undefined && op.contentType === 'application/json') {
            payload = toJsonText(r.body);
            headers['content-type'] = 'application/json';
          }
          tried++;
          // Wrong keys come from an address of their own: failed sign-ins block their address (429),
          // and the admin's requests must go on reaching the routes.
          const remoteAddress = r.auth === 'wrong' ? '192.0.2.66' : '127.0.0.1';
          const res = await t.app.inject({ method: op.method as 'GET', url, headers, remoteAddress, ...(payload !== undefined ? { payload } : {}) });
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          const where = `${op.method} ${url} ${payload?.slice(0, 300) ?? ''} → ${res.statusCode} ${res.body.slice(0, 300)}`;
          if (res.statusCode === 503 && UNAVAILABLE_BY_DESIGN.has(`${op.method} ${op.path}`)) return;
          expect(res.statusCode, where).toBeLessThan(500);
          if (res.statusCode >= 400) {
            const body = res.json();
            expect(typeof body.error?.code, where).toBe('string');
            expect(typeof body.error?.message, where).toBe('string');
          }
        }),
        { seed: SEED, numRuns: RUNS_PER_ROUTE, endOnFailure: true },
      );
    }
  });

  it('refuses what generated values miss: invalid UTF-8, deep JSON, a NUL in a call event, the wrong content type', async () => {
    const post = (url: string, payload: string | Buffer, contentType = 'application/json') =>
      t.app.inject({ method: 'POST', url, headers: { ...t.admin, 'content-type': contentType }, payload });
    const invalidUtf8 = await post('/v1/customers', Buffer.concat([Buffer.from('{"displayName":"Ad'), Buffer.from([0xff, 0xfe]), Buffer.from('a"}')]));
    expect(invalidUtf8.statusCode).toBe(400);
    expect(invalidUtf8.json().error.code).toBe('INVALID_TEXT');
    const deep = await post('/v1/customers', `${'['.repeat(5000)}${']'.repeat(5000)}`);
    expect(deep.statusCode).toBe(400);
    const nul = await post('/v1/call-events', JSON.stringify({ type: 'offered', callId: 'fuzz-nul', from: '+1 415 555 0123', to: '8000', callerName: 'Ada\u0000' }));
    expect(nul.statusCode).toBe(400);
    expect(nul.json().error.code).toBe('INVALID_TEXT');
    // Refused before anything was routed: the call does not exist.
    expect((await cc.event({ type: 'ended', callId: 'fuzz-nul' })).status).toBe(404);
    const jsonToCsv = await post('/v1/customers/import', JSON.stringify({ displayName: 'Ada' }));
    expect(jsonToCsv.statusCode).toBe(415);
    expect(jsonToCsv.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const huge = await post('/v1/customers', JSON.stringify({ displayName: 'x'.repeat(2 * 1024 * 1024) }));
    expect(huge.statusCode).toBe(413);
    const badUrl = await t.app.inject({ method: 'GET', url: '/v1/customers/%ff', headers: t.admin });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.json().error.code).toBe('BAD_URL');
  });

  it('is still ready afterwards', async () => {
    const ready = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
  });
});
