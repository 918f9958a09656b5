// The demo's API keys, kept in a file beside the embedded store: screenpop stores only key hashes
// and shows a key once, so this file is the one place a newcomer finds them.
import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export const DEMO_KEYS_FILE = 'demo-keys.json';

export interface DemoKeys {
  readonly about: string;
  readonly agents: ReadonlyArray<{ readonly id: string; readonly name: string; readonly key: string }>;
  readonly supervisor: { readonly name: string; readonly key: string };
  /** For `npm run call` and other call-event senders. */
  readonly integrator: { readonly name: string; readonly key: string };
}

/** Writes the keys readable by the owner only (0600), whole or not at all. */
export async function writeDemoKeys(path: string, keys: DemoKeys): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(tmp, 0o600); // the mode above is filtered by the umask; this is what the file must be
  await rename(tmp, path);
}

/** The demo keys, or null when the file is not there; throws on a file that is not demo keys. */
export async function readDemoKeys(path: string): Promise<DemoKeys | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const keys = JSON.parse(text) as Partial<DemoKeys>;
  if (typeof keys.integrator?.key !== 'string' || !Array.isArray(keys.agents)) throw new Error(`${path} does not hold demo keys`);
  return keys as DemoKeys;
}
