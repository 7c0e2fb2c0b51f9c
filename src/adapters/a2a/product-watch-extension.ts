import { WATCH_ACTION_NAMES } from './action-vocabulary.js';
import type { A2aVersion } from './jsonrpc.js';

/**
 * The product-watch extension (issue 18): how an A2A agent subscribes to decision changes of
 * products, declared in the agent card's `capabilities.extensions`.
 *
 * Why an extension and not `tasks/pushNotificationConfig/*`: a push config belongs to one task
 * and its lifecycle, and a product watch is no task; declaring `pushNotifications: true` would
 * also promise push for every task (and the kits would test it so).
 *
 * The URI names the extension, not a deployment, so it is one fixed string: never built from
 * PUBLIC_BASE_URL, every merchant running this service declares the same one and an agent that
 * learned it once recognises it everywhere. It carries its version in its path (A2A v1.0 §4.6.3:
 * a breaking change gets a new URI, `/v2`, and an agent never falls back to another version),
 * and sits under the project's own name, so it collides with no one else's extension. The
 * README's subscriptions section is its specification.
 */
export const PRODUCT_WATCH_EXTENSION_URI =
  'https://github.com/agent-commerce-worker/extensions/product-watch/v1';

/** Every extension this agent can activate for a request. */
const SUPPORTED_EXTENSIONS: readonly string[] = [PRODUCT_WATCH_EXTENSION_URI];

const DESCRIPTION =
  'Watch products: a data part {"action":"watch_products","subscriptionId":"…","url":"https://…"} ' +
  '(optional filters products, categories, contexts, actions, changes, as PUT /v1/subscriptions ' +
  'takes them) stores a watch; from then on every change of a decision it covers is POSTed to ' +
  'the url as a signed decision.changed event. unwatch_products removes one, list_watches lists ' +
  'them. Activation is optional: the requests work without it, and the agent echoes it when asked.';

/** What the extension's requests and events are, for an agent that reads the card only. */
const PARAMS = {
  actions: [...WATCH_ACTION_NAMES],
  events: ['decision.changed'],
  signature: 'Merchant-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">',
  skill: 'product-watch',
};

/**
 * Not required. Extensions are inactive unless a request activates them, "a baseline experience
 * for extension-unaware clients" (A2A extensions guide, Extension Activation), and only an
 * extension the card marks required may make the agent refuse a request that does not activate
 * it (v1.0 §3.3.4, ExtensionSupportRequiredError). The watch requests are plain data parts of
 * this agent's `product-watch` skill, so they are answered whether or not the header names the
 * extension: marking it required would refuse every decision question of a client that never
 * heard of watching. Activation only acknowledges, by the echo.
 */
const REQUIRED = false;

/** The declaration in a v0.3 card (a2a.json `AgentExtension`). */
export function productWatchExtensionV03(): Record<string, unknown> {
  return {
    uri: PRODUCT_WATCH_EXTENSION_URI,
    description: DESCRIPTION,
    required: REQUIRED,
    params: PARAMS,
  };
}

/**
 * The declaration in a v1.0 card (a2a.proto `AgentExtension`) as ProtoJSON, which leaves a
 * scalar at its default out: `required` is a plain bool, so false is written by its absence.
 */
export function productWatchExtensionV1(): Record<string, unknown> {
  const { required: _default, ...declared } = productWatchExtensionV03();
  return REQUIRED ? productWatchExtensionV03() : declared;
}

/**
 * The header that names extensions, per version: v1.0 `A2A-Extensions` (§3.2.6, §14.2.2); v0.3
 * `X-A2A-Extensions` (its extensions guide). A v0.3 request's `A2A-Extensions` is read too, as
 * the SDK's v0.3 server reads it, since clients of v1.0 SDKs falling back to 0.3 may send it.
 */
export const EXTENSIONS_HEADER = {
  '1.0': { answer: 'A2A-Extensions', read: ['a2a-extensions'] },
  '0.3': { answer: 'X-A2A-Extensions', read: ['x-a2a-extensions', 'a2a-extensions'] },
} as const satisfies Record<A2aVersion, { answer: string; read: readonly string[] }>;

/**
 * The extensions a request activates: those its header values name (comma-separated, §9.2) that
 * this agent supports. Any other is ignored, as the specification asks (§4.6.3).
 */
export function activatedExtensions(
  version: A2aVersion,
  headers: Record<string, string | string[] | undefined>,
): string[] {
  const named = EXTENSIONS_HEADER[version].read
    .flatMap((name) => headers[name] ?? [])
    .flatMap((value) => value.split(','))
    .map((uri) => uri.trim());
  return SUPPORTED_EXTENSIONS.filter((uri) => named.includes(uri));
}
