import { randomUUID } from 'node:crypto';
import type { RouteOptions } from 'fastify';
import { z } from 'zod';
import { type AcpRouteSet, acpRoutesOf } from '../../src/app/acp.js';
import type { Feature } from '../../src/app/feature.js';
import type { AppContext } from '../../src/app-context.js';
import { AcpFailure, invalidRequest } from '../../src/http/acp/acp-error.js';
import { ACP_VERSION } from '../../src/http/acp/acp-guard.js';
import { acpIdempotencyOf } from '../../src/http/acp/acp-idempotency.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';

/**
 * ACP apps with every route's handler instrumented, whatever the route: how often it ran per
 * Idempotency-Key, and two switches a request turns on by header (headers are not part of what
 * the key fingerprints, so the same request without them is still the same request):
 *
 * - `x-probe-hold: <id>` — the handler waits, its key held, until the test releases `<id>`;
 * - `x-probe-fault: <status>` — the handler fails with that status instead of running.
 *
 * Plus a small ACP route set of its own (a session create and a complete) that answers with a
 * new id every time it runs, so a replay and a second run can be told apart.
 */

export const TENANT = 'acme';
export const OTHER_TENANT = 'globex';
/** Two credentials of one tenant (two callers) and one of another tenant. */
export const CALLER_TOKENS = {
  first: 'acme-acp-caller-0000000001',
  second: 'acme-acp-caller-0000000002',
  otherTenant: 'globex-acp-caller-000000001',
} as const;
export type CallerName = keyof typeof CALLER_TOKENS;

export const PROBE_AUTH_TOKENS = [
  `${TENANT}:${CALLER_TOKENS.first}`,
  `${TENANT}:${CALLER_TOKENS.second}`,
  `${OTHER_TENANT}:${CALLER_TOKENS.otherTenant}`,
].join(',');

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

function headerOf(request: { headers: Record<string, unknown> }, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function faultOf(status: number): Error {
  if (status === 503) {
    return new AcpFailure(503, {
      type: 'service_unavailable',
      code: 'service_unavailable',
      message: 'injected: the service is unavailable',
    });
  }
  if (status >= 500) return new Error('injected fault');
  return invalidRequest(status, 'injected_refusal', `injected: a ${status} answer`);
}

export class RouteProbe {
  private readonly runsByKey = new Map<string, number>();
  private readonly holds = new Map<string, { reached: Deferred; released: Deferred }>();
  total = 0;

  /** How often a handler ran for requests with this Idempotency-Key (any route, any caller). */
  runs(key: string): number {
    return this.runsByKey.get(key) ?? 0;
  }

  /** Resolves once a request holding `id` is in its handler (its key held). */
  reached(id: string): Promise<void> {
    return this.hold(id).reached.promise;
  }

  release(id: string): void {
    this.hold(id).released.resolve();
  }

  private hold(id: string) {
    let hold = this.holds.get(id);
    if (hold === undefined) {
      hold = { reached: deferred(), released: deferred() };
      this.holds.set(id, hold);
    }
    return hold;
  }

  private ran(key: string): void {
    this.total++;
    this.runsByKey.set(key, this.runs(key) + 1);
  }

  /** What a probed handler does before the route's own: count, hold, fail. */
  private async before(request: { headers: Record<string, unknown> }): Promise<void> {
    const key = headerOf(request, 'idempotency-key');
    if (key !== undefined) this.ran(key);
    const hold = headerOf(request, 'x-probe-hold');
    if (hold !== undefined) {
      this.hold(hold).reached.resolve();
      await this.hold(hold).released.promise;
    }
    const fault = headerOf(request, 'x-probe-fault');
    if (fault !== undefined) throw faultOf(Number(fault));
  }

  /** The feature with every route it adds instrumented (an onRoute hook in its scope). */
  instrument(feature: Feature): Feature {
    const probe = this;
    return {
      ...feature,
      publicRoutes: async (app, ctx) => {
        app.addHook('onRoute', (route: RouteOptions) => {
          const handler = route.handler;
          route.handler = async function probed(request, reply) {
            await probe.before(request);
            return handler.call(this, request, reply);
          };
        });
        await feature.publicRoutes?.(app, ctx);
      },
    };
  }
}

const Item = z.object({ id: z.string().min(1), quantity: z.number().int().min(1) });
const CreateBody = z.object({
  items: z.array(Item).min(1),
  buyer: z.object({ email: z.string(), first_name: z.string().optional() }).optional(),
});
const CompleteBody = z.object({
  payment_data: z.object({ token: z.string().min(1), provider: z.string().min(1) }),
});

/** A session create (201 + Location) and a complete (200), each behind the Idempotency-Key layer. */
export const probeRouteSet: AcpRouteSet = {
  name: 'idempotency-probe',
  guarded: true,
  async routes(app: App, ctx: AppContext) {
    const idem = acpIdempotencyOf(ctx);
    app.post(
      '/probe_sessions',
      { ...idem.route('probe_create'), schema: { body: CreateBody } },
      async (request, reply) => {
        const id = `probe_${randomUUID()}`;
        reply.code(201).header('location', `/probe_sessions/${id}`);
        return { id, status: 'ready_for_payment', line_items: request.body.items };
      },
    );
    app.post(
      '/probe_sessions/:id/complete',
      {
        ...idem.route('probe_complete'),
        schema: { params: z.object({ id: z.string() }), body: CompleteBody },
      },
      async (request) => ({
        id: request.params.id,
        status: 'completed',
        order: { id: `order_${randomUUID()}`, provider: request.body.payment_data.provider },
      }),
    );
  },
};

/** An app of the project's builder with the probe's ACP routes, instrumented by `probe`. */
export function buildProbeApp(
  ctx: AppContext,
  probe: RouteProbe,
  sets: readonly AcpRouteSet[] = [probeRouteSet],
): Promise<App> {
  return buildApp(ctx, [probe.instrument({ name: 'acp-probe', publicRoutes: acpRoutesOf(sets) })]);
}

/** The headers of an ACP POST by one caller; `key: undefined` sends none. */
export function acpHeaders(
  key: string | undefined,
  caller: CallerName = 'first',
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    authorization: `Bearer ${CALLER_TOKENS[caller]}`,
    'api-version': ACP_VERSION,
    'content-type': 'application/json',
    ...(key === undefined ? {} : { 'idempotency-key': key }),
    ...extra,
  };
}
