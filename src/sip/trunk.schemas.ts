import { Type, type Static } from '@sinclair/typebox';

/** A trunk as the API and the trunks file write it (shared, so both accept exactly the same). */
const fields = {
  description: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]),
  sources: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
    minItems: 1,
    maxItems: 100,
    description: 'Source addresses as CIDR blocks ("203.0.113.0/24", "198.51.100.7", "2001:db8::/32"); requests from elsewhere get 403',
  }),
  auth: Type.Union(
    [
      Type.Object(
        {
          username: Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\s"\\\\]+$' }),
          password: Type.String({ minLength: 8, maxLength: 200 }),
          realm: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[^"\\\\]+$' })),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ],
    { description: 'Digest authentication on top of the source check (401 challenge); the password is stored only as a digest hash. null removes it' },
  ),
  defaultCountry: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO country to read national caller numbers in (default: the service DEFAULT_COUNTRY)' }),
  dialledQueues: Type.Record(Type.String({ minLength: 1, maxLength: 64 }), Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$' }), {
    description: 'Dialled number (DNIS) → queue id; numbers not listed use the queues\' own dialled numbers, then the default queue',
  }),
  maxCallsPerSecond: Type.Union([Type.Integer({ minimum: 1, maximum: 100000 }), Type.Null()], {
    description: 'INVITEs above this rate get 503 with Retry-After; null = no cap',
  }),
  outboundUri: Type.Union([Type.String({ pattern: '^sips?:[^\\s<>"]+$', maxLength: 256 }), Type.Null()], {
    description: 'Where click-to-dial calls to customers leave through this trunk, e.g. sip:pbx.example.com:5060; null = not used for outbound',
  }),
};

export const TrunkName = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$', description: 'Lower-case letters, digits, - and _' });

export const CreateTrunk = Type.Object(
  {
    name: TrunkName,
    description: Type.Optional(fields.description),
    sources: fields.sources,
    auth: Type.Optional(fields.auth),
    defaultCountry: Type.Optional(fields.defaultCountry),
    dialledQueues: Type.Optional(fields.dialledQueues),
    maxCallsPerSecond: Type.Optional(fields.maxCallsPerSecond),
    outboundUri: Type.Optional(fields.outboundUri),
  },
  { additionalProperties: false },
);
export type CreateTrunkInput = Static<typeof CreateTrunk>;

export const UpdateTrunk = Type.Partial(Type.Omit(CreateTrunk, ['name']), { additionalProperties: false, minProperties: 1 });
export type UpdateTrunkInput = Static<typeof UpdateTrunk>;

export const TrunkSchema = Type.Object({
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  sources: Type.Array(Type.String()),
  auth: Type.Union([Type.Object({ username: Type.String(), realm: Type.String() }), Type.Null()]),
  defaultCountry: Type.String(),
  dialledQueues: Type.Record(Type.String(), Type.String()),
  maxCallsPerSecond: Type.Union([Type.Integer(), Type.Null()]),
  outboundUri: Type.Union([Type.String(), Type.Null()]),
});

/** The trunks file (TRUNKS_FILE): `{ "trunks": [ ... ] }` with the same fields as POST /v1/trunks. */
export const TrunksFile = Type.Object({ trunks: Type.Array(CreateTrunk, { maxItems: 1000 }) }, { additionalProperties: false });
