import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const HOOK = 'https://platform.example.com/agentic_checkout/webhooks/order_events';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('ACP order-event settings', () => {
  it('are all optional: unset, no order events are sent', () => {
    expect(loadConfig({}).ACP_WEBHOOK_URL).toBeUndefined();
  });

  describe('when ACP_WEBHOOK_URL is set', () => {
    it('requires the signing secret and the order page template, naming each', () => {
      expect(problemsOf({ ACP_WEBHOOK_URL: HOOK })).toEqual([
        'ACP_WEBHOOK_SECRET: must be set with ACP_WEBHOOK_URL',
        'ACP_ORDER_URL_TEMPLATE: must be set with ACP_WEBHOOK_URL',
      ]);
    });

    it('accepts them together', () => {
      const config = loadConfig({
        ACP_WEBHOOK_URL: HOOK,
        ACP_WEBHOOK_SECRET: 'acp-webhook-secret-0000000001',
        ACP_ORDER_URL_TEMPLATE: 'https://shop.example.com/orders/{order_id}',
      });
      expect(config.ACP_ORDER_URL_TEMPLATE).toBe('https://shop.example.com/orders/{order_id}');
    });
  });

  it.each(['https://shop.example.com/orders', 'ftp://shop.example.com/{order_id}', '{order_id}'])(
    'refuses the order page template %j',
    (template) => {
      expect(problemsOf({ ACP_ORDER_URL_TEMPLATE: template })).toEqual([
        `ACP_ORDER_URL_TEMPLATE: must be an http(s) URL containing {order_id} (got ${JSON.stringify(template)})`,
      ]);
    },
  );

  it('never shows the secret in a problem', () => {
    const [problem] = problemsOf({ ACP_WEBHOOK_SECRET: 'short-secret' });
    expect(problem).toContain('[redacted]');
    expect(problem).not.toContain('short-secret');
  });
});
