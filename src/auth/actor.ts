import type { Role } from '../db/schema.ts';

/** Who is making a request: an API key (or the bootstrap admin key) with its role. */
export interface Actor {
  /** Stable id written to the audit log: `key:<id>`, `bootstrap-admin` or `system:<part>`. */
  readonly id: string;
  readonly role: Role;
  readonly keyId: number | null;
  readonly name: string;
}

export const systemActor = (part: string): Actor => ({ id: `system:${part}`, role: 'admin', keyId: null, name: part });
