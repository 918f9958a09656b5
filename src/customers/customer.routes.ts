import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requireRole } from '../auth/auth.plugin.ts';
import type { CustomerService } from './customer.service.ts';

const Str = (max: number, min = 0) => Type.String({ minLength: min, maxLength: max });

const PhoneInput = Type.Object(
  { label: Type.Optional(Str(40, 1)), number: Str(64, 1), primary: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
const EmailInput = Type.Object(
  { label: Type.Optional(Str(40, 1)), email: Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' }) },
  { additionalProperties: false },
);
// The fields a client may set on create and change on update: one list, so the two cannot drift.
const editableFields = {
  firstName: Type.Optional(Str(100)),
  lastName: Type.Optional(Str(100)),
  companyName: Type.Optional(Str(200)),
  valueSegment: Type.Optional(Str(40, 1)),
  lifetimeValue: Type.Optional(Type.Number({ minimum: 0, maximum: 999_999_999_999 })),
  language: Type.Optional(Str(35)),
  tags: Type.Optional(Type.Array(Str(50, 1), { maxItems: 50 })),
  notes: Type.Optional(Str(4000)),
};
const CreateCustomerBody = Type.Object(
  {
    kind: Type.Optional(Type.Union([Type.Literal('person'), Type.Literal('company')])),
    displayName: Str(200, 1),
    ...editableFields,
    phones: Type.Optional(Type.Array(PhoneInput, { maxItems: 20 })),
    emails: Type.Optional(Type.Array(EmailInput, { maxItems: 20 })),
  },
  { additionalProperties: false },
);

const UpdateCustomerBody = Type.Object(
  { displayName: Type.Optional(Str(200, 1)), ...editableFields, provisional: Type.Optional(Type.Literal(false)) },
  { additionalProperties: false, minProperties: 1 },
);
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 }) });
const SearchQuery = Type.Object(
  {
    q: Type.Optional(Str(200)),
    match: Type.Optional(Type.Union([Type.Literal('prefix'), Type.Literal('contains')])),
    phone: Type.Optional(Str(256, 1)),
    email: Type.Optional(Str(254, 1)),
    number: Type.Optional(Str(40, 1)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
  },
  { additionalProperties: false },
);

export const customerRoutes: FastifyPluginAsyncTypebox<{ customers: CustomerService }> = async (app, { customers }) => {
  const tags = ['customers'];

  app.get(
    '/lookup',
    {
      schema: {
        tags,
        summary: 'Who is calling: match a phone number in any format to customers',
        querystring: Type.Object(
          { phone: Type.String({ minLength: 1, maxLength: 256 }), country: Type.Optional(Type.String({ minLength: 2, maxLength: 2 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => customers.lookupByPhone(req.query.phone, req.query.country),
  );

  app.post(
    '/customers',
    {
      preHandler: requireRole('supervisor', 'agent', 'integrator'),
      schema: {
        tags,
        summary: 'Create a customer; 409 DUPLICATE_CUSTOMER with candidates unless ?force=true',
        querystring: Type.Object({ force: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        body: CreateCustomerBody,
      },
    },
    async (req, reply) => reply.status(201).send(await customers.create(req.actor, req.body, { force: req.query.force === true })),
  );

  app.get(
    '/customers/:id',
    {
      schema: {
        tags,
        summary: 'A customer with phones, emails, relations, latest business records and holdings',
        params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 }) }),
      },
    },
    async (req) => customers.get(req.params.id),
  );

  app.get(
    '/customers',
    {
      schema: {
        tags,
        summary: 'Search live customers by name (q, prefix or contains), phone in any format, email or customer number; paged',
        querystring: SearchQuery,
      },
    },
    async (req) => customers.search(req.query),
  );

  app.patch(
    '/customers/:id',
    {
      preHandler: requireRole('supervisor', 'agent', 'integrator'),
      schema: {
        tags,
        summary: 'Change some fields of a customer; provisional:false completes a provisional contact',
        params: IdParams,
        body: UpdateCustomerBody,
      },
    },
    async (req) => customers.update(req.actor, req.params.id, req.body),
  );

  app.delete(
    '/customers/:id',
    {
      preHandler: requireRole('supervisor'),
      schema: { tags, summary: 'Soft-delete a customer: gone from lookup, search and get', params: IdParams },
    },
    async (req, reply) => {
      await customers.remove(req.actor, req.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/customers/:id/merge',
    {
      preHandler: requireRole('supervisor'),
      schema: {
        tags,
        summary: 'Fold customer sourceId into this one: phones, emails, relations, records and holdings move; the source is retired',
        params: IdParams,
        body: Type.Object({ sourceId: Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 }) }, { additionalProperties: false }),
      },
    },
    async (req) => customers.merge(req.actor, req.params.id, req.body.sourceId),
  );
};
