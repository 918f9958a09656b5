import { describe, expect, it } from 'vitest';
import { bestOffers, ruleApplies, tenureMonths, type CrossSellRule, type CustomerFacts } from './cross-sell-rules.ts';

const rule = (over: Partial<CrossSellRule>): CrossSellRule => ({
  id: 1,
  name: 'r',
  segments: null,
  holdsProduct: null,
  notHoldsProduct: null,
  minLifetimeValue: null,
  minTenureMonths: null,
  productCode: 'P',
  productName: 'Product',
  script: 's',
  priority: 0,
  active: true,
  ...over,
});
const facts = (over: Partial<CustomerFacts> = {}): CustomerFacts => ({ valueSegment: 'gold', lifetimeValue: 1000, customerSince: '2020-06-15', holdings: ['CHK'], ...over });
const today = new Date('2026-11-23T10:00:00Z');

describe('tenureMonths', () => {
  it.each([
    ['2026-11-23', 0],
    ['2026-10-23', 1],
    ['2026-10-24', 0],
    ['2025-11-23', 12],
    ['2020-06-15', 77],
    ['2027-01-01', 0],
  ])('%s → %i whole months', (since, months) => expect(tenureMonths(since, today)).toBe(months));
  it('is unknown for no date or a bad one', () => {
    expect(tenureMonths(null, today)).toBeNull();
    expect(tenureMonths('yesterday', today)).toBeNull();
  });
});

describe('ruleApplies', () => {
  it('matches segments case-insensitively', () => {
    expect(ruleApplies(rule({ segments: ['GOLD'] }), facts(), today)).toBe(true);
    expect(ruleApplies(rule({ segments: ['platinum'] }), facts(), today)).toBe(false);
  });
  it('checks holds and does-not-hold', () => {
    expect(ruleApplies(rule({ holdsProduct: 'chk' }), facts(), today)).toBe(true);
    expect(ruleApplies(rule({ holdsProduct: 'SAV' }), facts(), today)).toBe(false);
    expect(ruleApplies(rule({ notHoldsProduct: 'CHK' }), facts(), today)).toBe(false);
  });
  it('never offers a product the customer holds', () => {
    expect(ruleApplies(rule({ productCode: 'CHK' }), facts(), today)).toBe(false);
  });
  it('checks lifetime value and tenure; an unknown start date fails a tenure condition', () => {
    expect(ruleApplies(rule({ minLifetimeValue: 1000 }), facts(), today)).toBe(true);
    expect(ruleApplies(rule({ minLifetimeValue: 1000.01 }), facts(), today)).toBe(false);
    expect(ruleApplies(rule({ minTenureMonths: 77 }), facts(), today)).toBe(true);
    expect(ruleApplies(rule({ minTenureMonths: 78 }), facts(), today)).toBe(false);
    expect(ruleApplies(rule({ minTenureMonths: 0 }), facts({ customerSince: null }), today)).toBe(false);
  });
  it('skips inactive rules', () => expect(ruleApplies(rule({ active: false }), facts(), today)).toBe(false));
});

describe('bestOffers', () => {
  it('takes the highest priority first, at most three, one per product, ties to the older rule', () => {
    const rules = [
      rule({ id: 1, productCode: 'A', priority: 5 }),
      rule({ id: 2, productCode: 'B', priority: 9 }),
      rule({ id: 3, productCode: 'B', priority: 9 }),
      rule({ id: 4, productCode: 'C', priority: 1 }),
      rule({ id: 5, productCode: 'D', priority: 7 }),
    ];
    expect(bestOffers(rules, facts(), today).map((r) => r.id)).toEqual([2, 5, 1]);
    expect(bestOffers(rules, facts(), today, 1).map((r) => r.id)).toEqual([2]);
    expect(bestOffers([], facts(), today)).toEqual([]);
  });
});
