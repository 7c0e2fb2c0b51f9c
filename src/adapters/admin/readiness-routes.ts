import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import {
  BLOCKERS,
  type BlockerCode,
  type EvaluationContext,
  EvaluationContextSchema,
  READINESS_STATES,
} from '../../domain/index.js';
import { AppError } from '../../errors/codes.js';
import type { App } from '../../http/types.js';
import type { ReadinessSources } from '../../services/readiness-data.js';
import { csrfOk, csrfToken } from './csrf.js';
import { productDetail } from './readiness-model.js';
import {
  contextName,
  DEFAULT_PAGE_SIZE,
  type ReadinessPageModel,
  renderReadinessPage,
} from './readiness-page.js';

/** A GET form sends an unselected filter as `name=`: the same as leaving it out. */
const blankless = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const productIdPart = z
  .string()
  .max(128)
  .regex(/^[A-Za-z0-9._:-]*$/, { message: 'letters, digits and . _ : - only' });

/** The page's query: the list's filter and cursor, and the product whose detail is open. */
function pageQuery(contextNames: readonly [string, ...string[]]) {
  return z.object({
    tenant: z.string().min(1).max(64).optional(),
    product: z.string().min(1).max(128).optional(),
    region: z.string().optional(),
    buyerType: z.string().optional(),
    channel: z.string().optional(),
    notice: z.string().max(200).optional(),
    context: blankless(z.enum(contextNames)),
    state: blankless(z.enum(READINESS_STATES)),
    blocker: blankless(z.enum(Object.keys(BLOCKERS) as [BlockerCode, ...BlockerCode[]])),
    q: blankless(productIdPart),
    after: blankless(productIdPart.min(1)),
    before: blankless(productIdPart.min(1)),
    limit: blankless(z.coerce.number().int().min(1).max(200)),
  });
}

const ActionQuery = z.object({ tenant: z.string().min(1).max(64) });
const FormBody = z.object({ csrf: z.string().optional() }).loose();

/**
 * /admin/readiness: the operator's view of the same stored decisions the agents get, as work to
 * do, plus the outbox, the subscriptions' decision events and the feeds, with buttons to replay
 * a dead letter or publish a feed. Mounted inside a scope that already requires the operator
 * token.
 */
export async function readinessRoutes(
  app: App,
  ctx: AppContext,
  sources: ReadinessSources,
): Promise<void> {
  const tenants = [...new Set(ctx.config.AUTH_TOKENS.map((entry) => entry.tenant))];
  const knownTenant = (tenant: string) => {
    if (!tenants.includes(tenant)) throw new AppError('NOT_FOUND', [`tenant ${tenant}`]);
    return tenant;
  };

  const contexts = ctx.config.EVALUATION_CONTEXTS;
  const byName = new Map<string, EvaluationContext>(
    contexts.map((context) => [contextName(context), context]),
  );
  const PageQuery = pageQuery([...byName.keys()] as [string, ...string[]]);

  app.addHook('onClose', async () => {
    await sources.close?.();
  });

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 4096 },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );

  app.get('/admin/readiness', { schema: { querystring: PageQuery } }, async (request, reply) => {
    const query = request.query;
    const tenant = knownTenant(query.tenant ?? (tenants[0] as string));
    const filter = {
      context: byName.get(query.context ?? '') ?? (contexts[0] as EvaluationContext),
      ...(query.state ? { state: query.state } : {}),
      ...(query.blocker ? { blocker: query.blocker } : {}),
      ...(query.q ? { q: query.q } : {}),
      ...(query.after ? { after: query.after } : {}),
      ...(query.before && !query.after ? { before: query.before } : {}),
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
    };
    // Counters, one page of the index, outbox, feeds and subscriptions: independent reads, made
    // together.
    const [overview, listing, outbox, feeds, subscriptions] = await Promise.all([
      sources.overview(tenant),
      sources.list(tenant, filter),
      sources.outbox ? sources.outbox(tenant) : null,
      sources.feeds ? sources.feeds(tenant) : [],
      sources.subscriptions ? sources.subscriptions(tenant) : undefined,
    ]);
    const model: ReadinessPageModel = {
      tenant,
      tenants,
      overview,
      filter,
      listing,
      outbox,
      feeds,
      csrfToken: csrfToken(ctx.config.OPERATOR_TOKEN),
    };
    if (subscriptions !== undefined) model.subscriptions = subscriptions;
    if (sources.drift) model.drift = (await sources.drift(tenant)) ?? null;
    if (query.notice) model.notice = query.notice;
    if (query.product) {
      const context = EvaluationContextSchema.safeParse({
        region: query.region ?? 'EU',
        buyerType: query.buyerType ?? 'consumer',
        channel: query.channel ?? 'agent',
      });
      if (!context.success)
        throw new AppError('VALIDATION_FAILED', ['region, buyerType or channel']);
      const profile = await sources.storedProfile(tenant, query.product, context.data);
      if (profile === undefined) throw new AppError('NOT_FOUND', [`profile of ${query.product}`]);
      model.detail = { context: context.data, view: productDetail(profile) };
    }
    reply.header('cache-control', 'no-store').type('text/html; charset=utf-8');
    return renderReadinessPage(model);
  });

  const back = (tenant: string, notice: string) =>
    `/admin/readiness?tenant=${encodeURIComponent(tenant)}&notice=${encodeURIComponent(notice)}`;

  /**
   * One operator action behind a POST form: CSRF check, known tenant, then `act` on the target
   * named in the URL; a 303 back to the page with a notice, or 404 when there is no such target.
   */
  const formAction = (
    path: string,
    what: string,
    act: ((tenant: string, target: string) => Promise<boolean>) | undefined,
    notice: (target: string) => string,
  ) =>
    app.post(
      path,
      {
        schema: {
          params: z.object({ target: z.string().min(1).max(300) }),
          querystring: ActionQuery,
          body: FormBody,
        },
      },
      async (request, reply) => {
        const { csrf } = request.body;
        if (!csrfOk(ctx.config.OPERATOR_TOKEN, csrf, request.headers['sec-fetch-site'])) {
          throw new AppError('FORBIDDEN', ['missing or invalid CSRF token']);
        }
        const tenant = knownTenant(request.query.tenant);
        const { target } = request.params;
        if (act === undefined || !(await act(tenant, target))) {
          throw new AppError('NOT_FOUND', [`${what} ${target}`]);
        }
        return reply.redirect(back(tenant, notice(target)), 303);
      },
    );

  formAction(
    '/admin/readiness/dead-letter/:target/replay',
    'dead letter',
    sources.replayDeadLetter,
    (id) => `Replayed ${id}`,
  );
  formAction(
    '/admin/readiness/feeds/:target/publish',
    'feed',
    sources.publishFeed,
    (name) => `Publishing ${name}`,
  );
}
