import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** How a SIP system test gets a drachtio-server or FreeSWITCH: a local binary, or a container image. */
export type Launch = { kind: 'binary'; path: string } | { kind: 'container'; image: string };

export interface SipTools {
  drachtio: Launch | null;
  freeswitch: Launch | null;
  sipp: string | null;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A binary from its environment variable (a path) or from PATH; null when neither has it. */
export function findBinary(name: string, envVar?: string): string | null {
  const fromEnv = envVar ? process.env[envVar] : undefined;
  if (fromEnv) return executable(fromEnv) ? fromEnv : null;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return null;
}

export const DRACHTIO_IMAGE = 'drachtio/drachtio-server:latest';
export const FREESWITCH_IMAGE = 'drachtio/drachtio-freeswitch-mrf:latest';
