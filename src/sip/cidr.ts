// CIDR blocks for trunk source addresses: parse once, match an address. Pure; IPv4 and IPv6.
import { isIPv4, isIPv6 } from 'node:net';

export interface Cidr {
  /** As written after normalising ("10.0.0.0/8", "2001:db8::/32"). */
  readonly text: string;
  readonly family: 4 | 6;
  readonly prefix: number;
  readonly bits: bigint;
}

function v4ToBigInt(address: string): bigint {
  return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v6ToBigInt(address: string): bigint | null {
  let text = address;
  // An embedded IPv4 tail (::ffff:10.0.0.1) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    if (!isIPv4(v4[1])) return null;
    const n = v4ToBigInt(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let value = 0n;
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    value = (value << 16n) | BigInt(parseInt(g, 16));
  }
  return value;
}

/** An address as a number, with its family; IPv4-mapped IPv6 (::ffff:a.b.c.d) counts as IPv4. Null when not an address. */
export function parseAddress(address: string): { family: 4 | 6; value: bigint } | null {
  const text = address.trim().replace(/^\[|\]$/g, '').split('%')[0] ?? '';
  if (isIPv4(text)) return { family: 4, value: v4ToBigInt(text) };
  if (!isIPv6(text)) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped?.[1]) return { family: 4, value: v4ToBigInt(mapped[1]) };
  const value = v6ToBigInt(text);
  return value === null ? null : { family: 6, value };
}

/** Parses "10.0.0.0/8", "192.0.2.7" (a single host), "2001:db8::/32". Null when it is not a CIDR block. */
export function parseCidr(text: string): Cidr | null {
  const [addr = '', prefixText, ...rest] = text.trim().split('/');
  if (rest.length) return null;
  const parsed = parseAddress(addr);
  if (!parsed || addr.includes('%')) return null;
  const width = parsed.family === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  // An IPv4-mapped IPv6 block (::ffff:a.b.c.d/120) is the IPv4 block of its last 32 bits.
  const mappedOffset = parsed.family === 4 && addr.includes(':') ? 96 : 0;
  const prefix = prefixText === undefined ? width : Number(prefixText) - mappedOffset;
  if (prefix > width || prefix < 0) return null;
  const bits = parsed.value & mask(prefix, width);
  return { text: `${format(parsed.family, bits)}/${prefix}`, family: parsed.family, prefix, bits };
}

function mask(prefix: number, width: number): bigint {
  if (prefix === 0) return 0n;
  const all = (1n << BigInt(width)) - 1n;
  return all ^ ((1n << BigInt(width - prefix)) - 1n);
}

function format(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // RFC 5952: the longest run of two or more zero groups becomes "::".
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.len < 2) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

/** Whether `address` lies in `cidr`. */
export function contains(cidr: Cidr, address: string): boolean {
  const a = parseAddress(address);
  if (!a || a.family !== cidr.family) return false;
  return (a.value & mask(cidr.prefix, cidr.family === 4 ? 32 : 128)) === cidr.bits;
}
