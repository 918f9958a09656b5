import fc from 'fast-check';

/**
 * Hostile and near-valid values generated from a JSON schema (OpenAPI or TypeBox): mostly values
 * of the right shape with bad corners (NUL bytes, lone surrogates, over-long strings, numbers out
 * of range), sometimes a value of another type. Raw JSON number tokens JSON.stringify cannot
 * write (1e400) travel as a marker string that `toJsonText` turns into the bare token.
 */

export type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
  pattern?: string;
  additionalProperties?: boolean | Schema;
};

const RAW = '\u0001raw:';
/** A number token as it would appear in JSON text, not representable as a JS number. */
const rawNumber = (token: string) => `${RAW}${token}`;

const HOSTILE_STRINGS = [
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  '\uD800',
  'x\uDFFFy',
  '%ff',
  '%00',
  '../../etc/passwd',
  "'; DROP TABLE customers; --",
  '<script>alert(1)</script>',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 王小明',
  '\u202Eevil',
  '1e400',
  '9999999999999999999999',
  '-1',
  'null',
  '2026-02-30T25:61:00Z',
  'tel:+14155550123',
  '+1 415 555 0123',
];
const HOSTILE_NUMBERS: unknown[] = [0, -1, -0, 1.5, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, rawNumber('1e400'), rawNumber('-1e400'), rawNumber('9223372036854775808'), rawNumber('1e-400'), rawNumber('12345678901234567890123')];
const ANY_VALUE: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, [], {}, ...HOSTILE_STRINGS, ...HOSTILE_NUMBERS),
  fc.jsonValue({ maxDepth: 2 }),
);

function stringArb(s: Schema): fc.Arbitrary<string> {
  const max = Math.min(s.maxLength ?? 300, 300);
  const near: fc.Arbitrary<string>[] = [fc.string({ maxLength: max }), fc.string({ unit: 'grapheme', maxLength: Math.min(max, 40) })];
  if (s.format === 'date-time') near.push(fc.date({ noInvalidDate: true, min: new Date('1900-01-01'), max: new Date('2200-01-01') }).map((d) => d.toISOString()));
  if (s.format === 'email') near.push(fc.emailAddress());
  if (s.pattern?.includes('0-9')) near.push(fc.stringMatching(/^[1-9][0-9]{0,20}$/));
  if (s.maxLength !== undefined) near.push(fc.constant('x'.repeat(s.maxLength + 1)));
  return fc.oneof({ arbitrary: fc.oneof(...near), weight: 5 }, { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 1 });
}

function integerArb(s: Schema): fc.Arbitrary<unknown> {
  const min = Math.max(s.minimum ?? -1e6, -Number.MAX_SAFE_INTEGER);
  const max = Math.min(s.maximum ?? 1e6, Number.MAX_SAFE_INTEGER);
  return fc.oneof({ arbitrary: fc.integer({ min: Math.ceil(min), max: Math.floor(Math.max(min, max)) }), weight: 5 }, { arbitrary: fc.constantFrom(...HOSTILE_NUMBERS), weight: 1 });
}

/** An arbitrary for values of `schema`, with hostile corners; `depth` bounds recursion. */
export function arbitraryFor(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return ANY_VALUE;
  const alternatives = schema.anyOf ?? schema.oneOf;
  const own = ((): fc.Arbitrary<unknown> => {
    if (alternatives) return fc.oneof(...alternatives.map((a) => arbitraryFor(a, depth + 1)));
    if (schema.const !== undefined) return fc.constant(schema.const);
    if (schema.enum) return fc.constantFrom(...schema.enum);
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    switch (type) {
      case 'string':
        return stringArb(schema);
      case 'integer':
        return integerArb(schema);
      case 'number':
        return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(...HOSTILE_NUMBERS));
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array':
        return fc.array(arbitraryFor(schema.items, depth + 1), { maxLength: 4 });
      case 'object': {
        const props = schema.properties ?? {};
        const record = fc.record(
          Object.fromEntries(Object.entries(props).map(([k, v]) => [k, arbitraryFor(v, depth + 1)])),
          { requiredKeys: (schema.required ?? []).filter((k) => k in props) },
        );
        // Sometimes a field nobody declared.
        return fc.tuple(record, fc.option(fc.tuple(fc.constantFrom('extra', '__proto__', 'constructor', 'a\u0000'), ANY_VALUE), { freq: 6 })).map(([r, extra]) =>
          extra ? { ...(r as object), [extra[0]]: extra[1] } : r,
        );
      }
      default:
        return ANY_VALUE;
    }
  })();
  // Now and then a value of another type altogether.
  return fc.oneof({ arbitrary: own, weight: 12 }, { arbitrary: ANY_VALUE, weight: 1 });
}

/** JSON text of a generated value, with raw number markers written as bare number tokens. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value).replace(new RegExp(`"${RAW.replace('\u0001', '\\\\u0001')}([^"]*)"`, 'g'), '$1');
}

/** A generated value as it would travel in a URL path segment or query string. */
export function toUrlText(value: unknown): string {
  if (typeof value === 'string') return value.startsWith(RAW) ? value.slice(RAW.length) : value;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
