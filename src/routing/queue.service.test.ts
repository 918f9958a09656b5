import { describe, expect, it } from 'vitest';
import { dialledKeys } from './queue.service.ts';
import { queueScore } from './live/live-state.ts';

describe('dialledKeys: a dialled number as digits and E.164', () => {
  it('reads a national number into its E.164 too', () => expect(dialledKeys('(800) 555-0100', 'US')).toEqual(['8005550100', '18005550100']));
  it('keeps a short extension as digits only', () => expect(dialledKeys('8000', 'US')).toEqual(['8000']));
  it('gives one key when digits already are E.164', () => expect(dialledKeys('+1 800 555 0100', 'US')).toEqual(['18005550100']));
  it('has no key without digits', () => expect(dialledKeys('sales', 'US')).toEqual([]));
});

describe('queueScore: one number that orders by priority then wait', () => {
  it('puts a higher priority first whatever the wait', () => {
    expect(queueScore(30, 2_000_000_000_000)).toBeLessThan(queueScore(10, 1_000_000_000_000));
  });
  it('puts the longer wait first within one priority', () => {
    expect(queueScore(10, 1_000)).toBeLessThan(queueScore(10, 2_000));
  });
  it('clamps priorities to 0..99 and stays an exact integer', () => {
    expect(queueScore(500, 5)).toBe(queueScore(99, 5));
    expect(Number.isSafeInteger(queueScore(-3, 1_900_000_000_000))).toBe(true);
  });
});
