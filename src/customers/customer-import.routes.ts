import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requireRole } from '../auth/auth.plugin.ts';
import { AppError } from '../shared/errors.ts';
import { importCustomersCsv } from './customer-import.ts';
import type { CustomerService } from './customer.service.ts';

export const customerImportRoutes: FastifyPluginAsyncTypebox<{ customers: CustomerService }> = async (app, { customers }) => {
  // The body is handed over as a stream: a large file is read row by row, never buffered whole.
  app.addContentTypeParser('text/csv', (_req, payload, done) => done(null, payload));

  app.post(
    '/customers/import',
    {
      preHandler: requireRole('supervisor', 'integrator'),
      schema: {
        tags: ['customers'],
        summary: 'Bulk import customers from CSV (Content-Type: text/csv); per-row error report',
        description: 'Columns: display_name, first_name, last_name, company_name, kind, phone, phone2, email, value_segment, lifetime_value, language, tags (";"-separated), notes. Each row gets the same duplicate check as POST /v1/customers unless force=true; rows that fail are listed with their line and skipped.',
        querystring: Type.Object({ force: Type.Boolean({ default: false }) }, { additionalProperties: false }),
      },
    },
    async (req) => {
      // Another content type (JSON, say) was parsed by its own parser: there is no file to read.
      const file = req.body as Readable | undefined;
      if (typeof file?.pipe !== 'function') throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as Content-Type: text/csv');
      return importCustomersCsv(customers, req.actor, file, { force: req.query.force });
    },
  );
};
