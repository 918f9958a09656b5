import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DemoKeys } from '../../src/demo/demo-keys.ts';
import type { Pop } from '../../src/pop/pop.types.ts';
import { TestClient } from '../helpers/agent-client.ts';
import { runCli, startService, type ServiceProcess } from '../helpers/service-process.ts';

const ADA = '+1 415 555 0123';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('the newcomer demo: npm start, a desktop, npm run call', () => {
  const dir = mkdtempSync(join(tmpdir(), 'screenpop-demo-'));
  let service: ServiceProcess | undefined;
  let desk: TestClient | undefined;
  afterAll(async () => {
    desk?.close();
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pops Ada Lovelace with her seeded history on the demo agent, and never logs a key', async () => {
    service = await startService({ DATA_DIR: dir, SEED_DEMO: 'true' });
    const file = join(dir, 'demo-keys.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const keys = JSON.parse(readFileSync(file, 'utf8')) as DemoKeys;
    expect(keys.agents.map((a) => a.name)).toEqual(['Dana Reyes', 'Sam Okafor']);
    expect(service.output()).toContain('demo-keys.json');

    desk = await TestClient.connect(service.url, '/agent', keys.agents[0]!.key);
    const hello = await desk.next<{ agent: { name: string }; queues: { id: string }[] }>('agent:hello');
    expect(hello.agent.name).toBe('Dana Reyes');
    expect(hello.queues.map((q) => q.id).sort()).toEqual(['sales', 'support']);
    expect((await desk.emit('agent:set-state', { status: 'ready' })).ok).toBe(true);

    const cli = await runCli('src/cli/call.ts', ['--from', ADA, '--to', '8000', '--url', service.url, '--answer-after', '0', '--hangup-after', '0'], {
      DATA_DIR: dir,
      SCREENPOP_KEY: '',
    });
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('queue support');
    expect(cli.stdout).toContain('Ada Lovelace');
    expect(cli.stdout).toContain('ringing Dana Reyes');
    expect(cli.stdout).toContain('caller hung up: ended');

    const pop = await desk.next<Pop>('call:offered');
    expect(pop.call.queue.id).toBe('support');
    expect(pop.customer?.displayName).toBe('Ada Lovelace');
    const past = pop.customer!.interactions.filter((i) => i.callId !== pop.call.id);
    expect(past.length).toBeGreaterThanOrEqual(1);
    expect(past.some((i) => i.disposition && i.notes?.includes('refinancing'))).toBe(true);
    expect(pop.customer!.openTickets.map((t) => t.subject)).toContain('Fixed-rate figures for refinancing quote Q-2025-1187');
    expect(pop.customer!.recentComplaints.length).toBeGreaterThanOrEqual(1);
    expect(pop.customer!.followUps).toHaveLength(1);
    expect(pop.prompts.length).toBeGreaterThanOrEqual(1);
    expect(pop.prompts[0]!.productCode).toBe('CARD-PLATINUM');

    // The whole call: the CLI answered and hung up; the agent wraps up from the desktop.
    await desk.next('call:ended', (e: { callId: string }) => e.callId === pop.call.id);
    const wrap = await desk.emit('call:wrap-up', { callId: pop.call.id, disposition: 'resolved', notes: 'Demo call' });
    expect(wrap).toMatchObject({ ok: true });

    const printed = service.output() + cli.stdout;
    for (const key of [...keys.agents.map((a) => a.key), keys.supervisor.key, keys.integrator.key]) expect(printed).not.toContain(key);
  });

  it('seeds only an empty store: a restart keeps the demo and its keys as they were', async () => {
    const before = readFileSync(join(dir, 'demo-keys.json'), 'utf8');
    desk?.close();
    expect(await service!.stop()).toBe(0);
    service = await startService({ DATA_DIR: dir, SEED_DEMO: 'true' });
    expect(readFileSync(join(dir, 'demo-keys.json'), 'utf8')).toBe(before);
    const keys = JSON.parse(before) as DemoKeys;
    const agents = await fetch(`${service.url}/v1/agents`, { headers: { authorization: `Bearer ${keys.supervisor.key}` } });
    expect((await agents.json()).map((a: { name: string }) => a.name)).toEqual(['Dana Reyes', 'Sam Okafor']);
    expect(service.output()).not.toContain('demo data seeded');
  });

  it('tells the caller what is wrong: a refused key, no service running', async () => {
    const [badKey, down] = await Promise.all([
      runCli('src/cli/call.ts', ['--from', ADA, '--url', service!.url, '--key', 'sp_int_not-a-real-key-0123456789']),
      closedPort().then((port) => runCli('src/cli/call.ts', ['--from', ADA, '--url', `http://127.0.0.1:${port}`, '--key', 'sp_int_not-a-real-key-0123456789'])),
    ]);
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toContain('The key was refused (UNAUTHENTICATED');
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('screenpop is not running at');
  });
});
