import { z } from 'zod';
import type { Config } from '../../config.js';
import {
  BUYER_TYPES,
  CHANNELS,
  PolicyFactSchema,
  ProductFactsSchema,
  ProductIdSchema,
} from '../../domain/index.js';
import { AppError } from '../../errors/codes.js';
import type { CatalogService } from '../../services/catalog-service.js';
import type { ProfileService } from '../../services/profile-service.js';
import type { App } from '../types.js';

/** What the catalog routes use: the settings they validate against and two services. */
export interface CatalogRouteDeps {
  config: Config;
  catalog: CatalogService;
  profiles: ProfileService;
}

/** The most products one batch may carry. */
export const PRODUCT_BATCH_MAX = 1_000;

const IdParams = z.object({ id: ProductIdSchema });
const PolicyIdParams = z.object({ id: PolicyFactSchema.shape.id });

/** PUT body: the product's facts; its id may be left out (the path names it). */
const PutProductBody = ProductFactsSchema.extend({ id: ProductIdSchema.optional() });

const BatchBody = z
  .strictObject({ products: z.array(ProductFactsSchema).min(1).max(PRODUCT_BATCH_MAX) })
  .superRefine((body, ctx) => {
    const seen = new Map<string, number>();
    body.products.forEach((product, index) => {
      const first = seen.get(product.id);
      if (first === undefined) seen.set(product.id, index);
      else
        ctx.addIssue({
          code: 'custom',
          path: ['products', index, 'id'],
          message: `duplicate id ${product.id} (also at products[${first}])`,
        });
    });
  });

const PutPolicyBody = PolicyFactSchema;

/** A query value from a closed list: the 400 names every value the route takes. */
function oneOf<const T extends readonly [string, ...string[]]>(what: string, allowed: T) {
  return z.enum(allowed, {
    error: (issue) =>
      `unknown ${what} ${JSON.stringify(issue.input)}; allowed: ${allowed.join(', ')}`,
  });
}

/**
 * The profile's context. Regions are the ones profiles are kept for (EVALUATION_CONTEXTS and
 * FEED_CONTEXT): any other would be evaluated against no stored state and look like an answer
 * for a market the service was never configured to sell in. Buyer types and channels are the
 * domain's lists. Strict, so a misspelt parameter (`regoin=US`) is refused, not ignored.
 */
function profileQuery(config: Config) {
  const regions = [
    ...new Set([...config.EVALUATION_CONTEXTS, config.FEED_CONTEXT].map((c) => c.region)),
  ] as [string, ...string[]];
  return z.strictObject({
    region: oneOf('region', regions).optional(),
    buyerType: oneOf('buyer type', BUYER_TYPES).optional(),
    channel: oneOf('channel', CHANNELS).optional(),
  });
}

const AuditQuery = z.object({ limit: z.coerce.number().int().min(1).max(1_000).default(100) });

function mismatch(path: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', [`${path}: ${message}`], [{ path, message }]);
}

/**
 * Facts in, profiles and audit out. Every route is scoped to the bearer token's tenant; another
 * tenant's product simply does not exist here (404).
 */
export async function catalogRoutes(app: App, deps: CatalogRouteDeps): Promise<void> {
  const { config } = deps;

  app.put(
    '/v1/products/:id',
    { schema: { params: IdParams, body: PutProductBody } },
    async (request, reply) => {
      const { id } = request.params;
      if (request.body.id !== undefined && request.body.id !== id)
        throw mismatch('body.id', `must equal the id in the path (${id})`);
      await deps.catalog.putProducts(request.tenant, [{ ...request.body, id }]);
      return reply.code(202).send({ productId: id, evaluation: 'queued' });
    },
  );

  app.post(
    '/v1/products/batch',
    { bodyLimit: config.INGEST_BATCH_BODY_LIMIT_BYTES, schema: { body: BatchBody } },
    async (request, reply) => {
      await deps.catalog.putProducts(request.tenant, request.body.products);
      return reply.code(202).send({ accepted: request.body.products.length, evaluation: 'queued' });
    },
  );

  app.get('/v1/products/:id', { schema: { params: IdParams } }, async (request) => {
    const product = await deps.catalog.getProduct(request.tenant, request.params.id);
    if (product === undefined) throw new AppError('NOT_FOUND', [`product ${request.params.id}`]);
    return product;
  });

  app.delete('/v1/products/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const deleted = await deps.catalog.deleteProduct(request.tenant, request.params.id);
    if (!deleted) throw new AppError('NOT_FOUND', [`product ${request.params.id}`]);
    return reply.code(204).send();
  });

  app.put(
    '/v1/policies/:id',
    { schema: { params: PolicyIdParams, body: PutPolicyBody } },
    async (request, reply) => {
      if (request.body.id !== request.params.id)
        throw mismatch('body.id', `must equal the id in the path (${request.params.id})`);
      const { created } = await deps.catalog.putPolicy(request.tenant, request.body);
      return reply.code(202).send({ policyId: request.params.id, created, evaluation: 'queued' });
    },
  );

  app.delete('/v1/policies/:id', { schema: { params: PolicyIdParams } }, async (request, reply) => {
    const deleted = await deps.catalog.deletePolicy(request.tenant, request.params.id);
    if (!deleted) throw new AppError('NOT_FOUND', [`policy ${request.params.id}`]);
    return reply.code(204).send();
  });

  app.get(
    '/v1/products/:id/profile',
    { schema: { params: IdParams, querystring: profileQuery(config) } },
    async (request) => {
      const fallback = config.FEED_CONTEXT;
      const context = {
        region: request.query.region ?? fallback.region,
        buyerType: request.query.buyerType ?? fallback.buyerType,
        channel: request.query.channel ?? fallback.channel,
      };
      const found = await deps.profiles.lookup(request.tenant, request.params.id, context);
      if (found.source === 'unknown')
        throw new AppError('NOT_FOUND', [`product ${request.params.id}`]);
      return { source: found.source, profile: found.profile };
    },
  );

  app.get(
    '/v1/products/:id/audit',
    { schema: { params: IdParams, querystring: AuditQuery } },
    async (request) => {
      const { id } = request.params;
      const entries = await deps.catalog.auditHistory(request.tenant, id, request.query.limit);
      if (entries === undefined) throw new AppError('NOT_FOUND', [`product ${id}`]);
      return { productId: id, entries };
    },
  );
}
