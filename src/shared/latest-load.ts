/**
 * Turns "load a snapshot, then keep it" into a reload where the newest snapshot always wins.
 * Caches reload on a local change and again on another node's notice over the bus; two loads
 * can overlap and finish in either order, and an older snapshot finishing last would hide what
 * the newer one saw (an agent created a moment ago would be "not found" until the next change).
 * A load started later reads a snapshot at least as new, so only a later-started load may
 * replace what an earlier one applied.
 */
export function latestLoadWins<T>(load: () => Promise<T>, apply: (snapshot: T) => void): () => Promise<void> {
  let started = 0;
  let applied = 0;
  return async () => {
    const ticket = ++started;
    const snapshot = await load();
    if (ticket < applied) return;
    applied = ticket;
    apply(snapshot);
  };
}
