import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { CustomerService } from './customer.service.ts';

// STUB — the customers feature replaces this file.
export const customerRoutes: FastifyPluginAsyncTypebox<{ customers: CustomerService }> = async () => {};
