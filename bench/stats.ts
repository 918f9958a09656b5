/** "p50 0.41 ms, p99 1.20 ms, max 3.02 ms" from samples in milliseconds. */
export function percentiles(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return `p50 ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms, max ${(s.at(-1) ?? NaN).toFixed(2)} ms`;
}

/** One updating line on a terminal; plain lines elsewhere would flood a CI log, so only on a TTY. */
export function progress(line: string): void {
  if (process.stdout.isTTY) process.stdout.write(`\r${line}`);
}
