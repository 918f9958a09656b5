import { describe, expect, it } from 'vitest';
import { contains, parseAddress, parseCidr } from './cidr.ts';

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['192.0.2.7', '192.0.2.7/32'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['2001:DB8:0:0:1::/64', '2001:db8::/64'],
    ['::1', '::1/128'],
    ['::ffff:10.0.0.1/128', '10.0.0.1/32'],
  ])('%s → %s', (input, text) => {
    expect(parseCidr(input)?.text).toBe(text);
  });

  it.each(['', '10.0.0.0/33', '10.0.0/8', '300.1.1.1', 'example.com', '10.0.0.0/8/1', '10.0.0.0/-1', '10.0.0.0/x', '::/129', 'fe80::1%eth0'])('rejects %j', (input) => {
    expect(parseCidr(input)).toBeNull();
  });
});

describe('contains', () => {
  const block = (t: string) => parseCidr(t)!;
  it('matches addresses inside an IPv4 block and not outside', () => {
    expect(contains(block('10.0.0.0/8'), '10.255.1.2')).toBe(true);
    expect(contains(block('10.0.0.0/8'), '11.0.0.1')).toBe(false);
    expect(contains(block('127.0.0.1'), '127.0.0.1')).toBe(true);
    expect(contains(block('127.0.0.1'), '127.0.0.2')).toBe(false);
    expect(contains(block('0.0.0.0/0'), '203.0.113.9')).toBe(true);
  });
  it('matches IPv6 and IPv4-mapped IPv6 addresses', () => {
    expect(contains(block('2001:db8::/32'), '2001:db8:1::5')).toBe(true);
    expect(contains(block('2001:db8::/32'), '2001:db9::5')).toBe(false);
    expect(contains(block('192.0.2.0/24'), '::ffff:192.0.2.10')).toBe(true);
    expect(contains(block('2001:db8::/32'), '192.0.2.10')).toBe(false);
  });
  it('never matches garbage', () => {
    expect(contains(block('0.0.0.0/0'), 'not-an-ip')).toBe(false);
    expect(parseAddress('[::1]')?.family).toBe(6);
  });
});
