import { inject } from 'vitest';
import { createTestApp, type TestApp } from '../app.ts';
import { CallCenter } from '../call-center.ts';
import { startDrachtio, type DrachtioServer } from './drachtio.ts';
import { until } from './ports.ts';
import { runSippUac, SippPhone, type SippResult, type UacOptions } from './sipp.ts';
import type { SipTools } from './tools.ts';

/** True when drachtio-server and sipp are there to run the SIP system tests (else they skip; sip-setup said why). */
export function sipAvailable(): boolean {
  const tools = inject('sipTools');
  return tools.drachtio !== null && tools.sipp !== null;
}

/** True when FreeSWITCH can run too (its tests skip otherwise; sip-setup said why). */
export function freeswitchAvailable(): boolean {
  return sipAvailable() && inject('sipTools').freeswitch !== null;
}

export function sipTools(): SipTools {
  return inject('sipTools');
}

/**
 * A SIP test bed: drachtio-server on loopback, the whole screenpop app connected to it (on
 * PostgreSQL when one is reachable, else PGlite), a CallCenter to make queues and agents, and sipp
 * for trunks and phones. Everything it starts is stopped by close().
 */
export class SipLab {
  readonly drachtio: DrachtioServer;
  readonly t: TestApp;
  readonly cc: CallCenter;
  private readonly sipp: string;
  private readonly phones: SippPhone[] = [];
  /** Log lines of the service (JSON), when started with `captureLogs`. */
  readonly logs: string[];

  private constructor(drachtio: DrachtioServer, t: TestApp, cc: CallCenter, sipp: string, logs: string[]) {
    this.logs = logs;
    this.drachtio = drachtio;
    this.t = t;
    this.cc = cc;
    this.sipp = sipp;
  }


  static async start(env: Record<string, string> = {}, opts: { captureLogs?: boolean } = {}): Promise<SipLab> {
    const tools = sipTools();
    const drachtio = await startDrachtio(tools.drachtio!);
    let t: TestApp | undefined;
    const logs: string[] = [];
    const logTo = opts.captureLogs ? { write: (line: string) => void logs.push(line) } : undefined;
    try {
      t = await createTestApp(inject('databaseUrl') ? 'postgres' : 'pglite', {
        DRACHTIO_HOST: '127.0.0.1',
        DRACHTIO_PORT: String(drachtio.adminPort),
        DRACHTIO_SECRET: drachtio.secret,
        LOG_LEVEL: opts.captureLogs ? 'info' : (process.env.SIP_TEST_LOG_LEVEL ?? 'silent'),
        ...env,
      }, logTo ? { logTo } : {});
      const lab = new SipLab(drachtio, t, await CallCenter.on(t), tools.sipp!, logs);
      await lab.connected();
      return lab;
    } catch (err) {
      await t?.close();
      await drachtio.stop();
      throw err;
    }
  }

  /** Waits until screenpop is connected to drachtio-server (its /ready says so). */
  async connected(timeoutMs = 20_000): Promise<void> {
    await until('screenpop connected to drachtio-server', () => this.t.container.sip?.isConnected, timeoutMs);
  }

  get kind() {
    return this.t.database.kind;
  }

  async trunk(body: Record<string, unknown>) {
    const r = await this.cc.api('POST', '/v1/trunks', { defaultCountry: 'US', ...body });
    if (r.status !== 201) throw new Error(`trunk: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** A sipp phone answering (or not) as the scenario says; stopped by close(). */
  async phone(scenario: string, opts: { pauseMs?: number; ip?: string } = {}): Promise<SippPhone> {
    const p = await SippPhone.start(this.sipp, scenario, opts);
    this.phones.push(p);
    return p;
  }

  /** A call from a trunk at `localIp` (sipp as the caller). */
  call(scenario: string, o: Omit<UacOptions, 'target'>): Promise<SippResult> {
    return runSippUac(this.sipp, scenario, { ...o, target: this.drachtio.sipTarget });
  }

  /** The call-log row of the SIP call with this Call-ID, once `ok` holds. */
  async sipRow(ok: (row: Record<string, any>) => boolean, where: (q: any) => any, timeoutMs = 15_000): Promise<Record<string, any>> {
    return until('call log row', async () => {
      const rows = await where(this.t.database.db.selectFrom('calls').selectAll()).execute();
      return rows.find(ok);
    }, timeoutMs);
  }

  async close(): Promise<void> {
    // SIP_TEST_DUMP=<file>: keep drachtio-server's log (every SIP message) for a failing test.
    if (process.env.SIP_TEST_DUMP) (await import('node:fs')).writeFileSync(process.env.SIP_TEST_DUMP, this.drachtio.output());
    this.cc.close();
    for (const p of this.phones) await p.stop().catch(() => {});
    await this.t.close().catch(() => {});
    await this.drachtio.stop();
  }
}
