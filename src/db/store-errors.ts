/** A store error worth retrying: the connection or the server, not the statement. */
export function isTransient(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  // Connection, resources, shutdown, system — but not a protocol violation (08P01): the same
  // statement would be refused again (a message too large, say), retrying it for ever helps nobody.
  if (code === '08P01') return false;
  if (/^(08|53|57P|58)/.test(code)) return true;
  if (code === '57014') return true; // statement timeout: a store too busy or too slow right now
  if (/^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH|AI_AGAIN)$/.test(code)) return true;
  const msg = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(msg);
}
