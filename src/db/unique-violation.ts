/**
 * The unique index or key a failed statement ran into (SQLSTATE 23505), else null. pg and PGlite
 * both report it on the error as `code` and `constraint`. A create that loses a race to a
 * concurrent one with the same key gets this error from its insert.
 */
export function violatedUnique(err: unknown): string | null {
  if (typeof err !== 'object' || err === null) return null;
  const { code, constraint } = err as { code?: unknown; constraint?: unknown };
  return code === '23505' ? String(constraint ?? '') : null;
}
