/**
 * Input every route and socket event refuses before its own validation: text the store cannot keep
 * (a NUL byte, a lone UTF-16 surrogate), numbers JSON cannot round-trip (1e400 → Infinity, integers
 * beyond 2^53 that lose digits), and nesting deeper than any of our bodies has. Finding them here
 * gives one clear 400 instead of a store error after part of the work was done.
 */

// Lone surrogates: a high one not followed by a low one, or a low one not preceded by a high one.
const BAD_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const MAX_DEPTH = 32;

export interface BadInput {
  /** JSON-pointer-like path of the bad value ("" for the whole input). */
  path: string;
  message: string;
}

function badScalar(value: unknown): string | null {
  if (typeof value === 'string') return BAD_TEXT.test(value) ? 'contains a NUL byte or an unpaired surrogate' : null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'is not a finite number';
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) return 'is out of range';
  }
  return null;
}

/** The first bad value in a parsed body, query or socket payload, or null. Iterative: deep input cannot overflow the stack. */
export function findBadInput(input: unknown): BadInput | null {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: input, path: '', depth: 0 }];
  while (stack.length) {
    const { value, path, depth } = stack.pop()!;
    if (value !== null && typeof value === 'object') {
      if (depth >= MAX_DEPTH) return { path, message: `is nested deeper than ${MAX_DEPTH} levels` };
      for (const [k, v] of Object.entries(value)) {
        const keyProblem = badScalar(k);
        if (keyProblem) return { path: `${path}/${k}`, message: `has a name that ${keyProblem}` };
        stack.push({ value: v, path: `${path}/${k}`, depth: depth + 1 });
      }
      continue;
    }
    const problem = badScalar(value);
    if (problem) return { path, message: problem };
  }
  return null;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes bytes that must be UTF-8; null when they are not (instead of U+FFFD in place of the bad bytes). */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}
