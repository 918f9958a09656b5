import { readFile } from 'node:fs/promises';
import { Value } from '@sinclair/typebox/value';
import { TrunksFile, type CreateTrunkInput } from './trunk.schemas.ts';

/** Reads and checks a trunks file (TRUNKS_FILE); every problem is listed in one error. */
export async function readTrunksFile(path: string): Promise<CreateTrunkInput[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`TRUNKS_FILE ${path} cannot be read: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`TRUNKS_FILE ${path} is not JSON: ${(err as Error).message}`);
  }
  const problems = [...Value.Errors(TrunksFile, data)].slice(0, 20).map((e) => `${e.path || '(root)'}: ${e.message}`);
  if (problems.length) throw new Error(`TRUNKS_FILE ${path} is not valid:\n  - ${problems.join('\n  - ')}`);
  const trunks = (data as { trunks: CreateTrunkInput[] }).trunks;
  const names = trunks.map((t) => t.name);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length) throw new Error(`TRUNKS_FILE ${path} names a trunk twice: ${[...new Set(twice)].join(', ')}`);
  return trunks;
}
