import { describe, expect, it } from 'vitest';
import { latestLoadWins } from './latest-load.ts';

/** A load whose result the test releases by hand, to finish overlapping loads in any order. */
function controlledLoads() {
  const pending: Array<(v: string) => void> = [];
  return { pending, load: () => new Promise<string>((resolve) => pending.push(resolve)) };
}

describe('latestLoadWins', () => {
  it('keeps the newer snapshot when an older load finishes last', async () => {
    const { pending, load } = controlledLoads();
    let kept = '';
    const reload = latestLoadWins(load, (v) => (kept = v));
    const older = reload();
    const newer = reload();
    pending[1]!('with agent 2');
    await newer;
    pending[0]!('without agent 2');
    await older;
    expect(kept).toBe('with agent 2');
  });

  it('applies each load when they finish in the order they started', async () => {
    const { pending, load } = controlledLoads();
    const kept: string[] = [];
    const reload = latestLoadWins(load, (v) => kept.push(v));
    const first = reload();
    const second = reload();
    pending[0]!('a');
    await first;
    pending[1]!('b');
    await second;
    expect(kept).toEqual(['a', 'b']);
  });
});
