import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startService } from '../helpers/service-process.ts';

const ADMIN = 'system-test-admin-key-0123456789';

describe('the service as a process on its embedded defaults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'screenpop-sys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts, is ready, and stops cleanly on SIGTERM; the store survives a restart', async () => {
    const first = await startService({ DATA_DIR: dir, SCREENPOP_ADMIN_KEY: ADMIN });
    const ready = await fetch(`${first.url}/ready`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).checks.database.detail).toBe('pglite');

    const key = await fetch(`${first.url}/v1/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'kept', role: 'agent' }),
    });
    expect(key.status).toBe(201);
    const { key: agentKey } = await key.json();

    const exited = new Promise<number | null>((r) => first.proc.on('exit', r));
    first.proc.kill('SIGTERM');
    expect(await exited).toBe(0);

    const second = await startService({ DATA_DIR: dir, SCREENPOP_ADMIN_KEY: ADMIN });
    try {
      // The key made before the restart still authenticates: the data dir persisted it.
      const list = await fetch(`${second.url}/v1/api-keys`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect((await list.json()).map((k: { name: string }) => k.name)).toContain('kept');
      expect(agentKey).toMatch(/^sp_age_/);
      expect(second.output()).not.toContain(agentKey);
    } finally {
      second.proc.kill('SIGTERM');
    }
  });

  it('refuses to start on bad configuration, listing every bad variable', async () => {
    const err = await startService({ PORT: 'x', DEFAULT_COUNTRY: 'usa' }).catch((e: Error) => e.message);
    expect(err).toContain('exited 78');
    expect(err).toContain('PORT');
    expect(err).toContain('DEFAULT_COUNTRY');
  });
});
