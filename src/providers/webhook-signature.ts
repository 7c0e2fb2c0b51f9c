import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `Merchant-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. The timestamp is
 * signed with the body so a captured webhook cannot be replayed later under a new time.
 */
export function signWebhook(secret: string, unixSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

export function verifyWebhookSignature(secret: string, header: string, body: string): boolean {
  const parts = new Map(
    header.split(',').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1');
  if (!Number.isInteger(t) || v1 === undefined || !/^[0-9a-f]{64}$/.test(v1)) return false;
  const expected = signWebhook(secret, t, body).slice(`t=${t},v1=`.length);
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(v1, 'hex'));
}

/** How a webhook is signed and headed besides the agent webhooks' own `Webhook-*` headers. */
export type WebhookProfile = 'acp';

/**
 * An ACP order event's headers (openapi.agentic_checkout_webhook.yaml): `Merchant-Signature`
 * over `timestamp + "." + raw_body`, `Timestamp` the same instant in ISO 8601, and `Request-Id`
 * the event's id, the same on every retry so the platform can tell a retry from a new event.
 */
export function acpWebhookHeaders(
  secret: string,
  unixSeconds: number,
  body: string,
  requestId: string,
): Record<string, string> {
  return {
    'merchant-signature': signWebhook(secret, unixSeconds, body),
    timestamp: new Date(unixSeconds * 1000).toISOString(),
    'request-id': requestId,
  };
}
