import { describe, expect, it } from 'vitest';
import { decodeA2aV1Task, decodeA2aV03Task } from '../../src/adapters/a2a/decode.js';
import {
  activatedExtensions,
  PRODUCT_WATCH_EXTENSION_URI,
} from '../../src/adapters/a2a/product-watch-extension.js';
import { taskView } from '../../src/adapters/a2a/project.js';
import { readMessage } from '../../src/adapters/a2a/read-message.js';
import { isRequestObject } from '../../src/adapters/a2a/request-data.js';
import { requestHashOf } from '../../src/adapters/a2a/to-intent.js';
import { renderTaskV1 } from '../../src/adapters/a2a/wire-v1.js';
import { renderTaskV03 } from '../../src/adapters/a2a/wire-v03.js';
import type { IntentTask } from '../../src/domain/index.js';

/** The product-watch words through the adapter alone: no Redis, no HTTP. */

const message = (data: Record<string, unknown>) => ({
  messageId: 'm-1',
  role: 'user' as const,
  parts: [{ type: 'data' as const, data }],
});

const problemsOf = (data: Record<string, unknown>) => {
  try {
    readMessage(message(data));
    return [];
  } catch (error) {
    return (error as { data?: { problems?: { path: string; message: string }[] } }).data?.problems;
  }
};

describe('reading a product-watch request', () => {
  it('reads a watch as the REST body, with its defaults, and names it a watch (no intent)', () => {
    const reading = readMessage(
      message({
        action: 'watch_products',
        subscriptionId: 'w-1',
        url: 'https://agent.example/hooks',
        products: ['P-1'],
      }),
    );
    expect(reading).toMatchObject({
      kind: 'watch',
      at: 'params.message.parts[0].data',
      watch: {
        op: 'watch',
        subscriptionId: 'w-1',
        body: {
          url: 'https://agent.example/hooks',
          products: ['P-1'],
          events: ['decision.changed'],
          changes: 'all',
        },
      },
    });
  });

  it('reads unwatch and list', () => {
    expect(
      readMessage(message({ action: 'unwatch_products', subscriptionId: 'w-1' })),
    ).toMatchObject({ kind: 'watch', watch: { op: 'unwatch', subscriptionId: 'w-1' } });
    expect(readMessage(message({ action: 'list_watches' }))).toMatchObject({
      kind: 'watch',
      watch: { op: 'list' },
    });
  });

  it.each([
    [{ action: 'list_watches', productId: 'P-1' }, 'params.message.parts[0].data', 'productId'],
    [
      { action: 'watch_products', url: 'https://a.example/' },
      'params.message.parts[0].data.subscriptionId',
      '',
    ],
    [
      {
        action: 'watch_products',
        subscriptionId: 'w',
        url: 'https://a.example/',
        events: ['profile.expired'],
      },
      'params.message.parts[0].data.events[0]',
      '',
    ],
    [
      {
        action: 'watch_products',
        subscriptionId: 'w',
        url: 'https://a.example/',
        actions: ['buy'],
      },
      'params.message.parts[0].data.actions[0]',
      '',
    ],
  ])('names the field of %j', (data, path, said) => {
    const problems = problemsOf(data) ?? [];
    expect(problems.map((p) => p.path)).toContain(path);
    expect(problems.map((p) => p.message).join(' ')).toContain(said);
  });

  it('tells a wrong action name every name it reads, the watch words too', () => {
    const problems = problemsOf({ action: 'watch_product', subscriptionId: 'w' }) ?? [];
    expect(problems[0]?.path).toBe('params.message.parts[0].data.action');
    expect(problems[0]?.message).toMatch(
      /get_return_terms.*watch_products, unwatch_products, list_watches/,
    );
  });

  it('takes a watch word alone as a request, not as conversation', () => {
    expect(isRequestObject({ action: 'list_watches' })).toBe(true);
  });

  it('fingerprints two watches of one id and another url differently', () => {
    const of = (url: string) => {
      const reading = readMessage(message({ action: 'watch_products', subscriptionId: 'w', url }));
      if (reading.kind !== 'watch') throw new Error('not a watch');
      return requestHashOf(reading.watch);
    };
    expect(of('https://a.example/')).toBe(of('https://a.example/'));
    expect(of('https://a.example/')).not.toBe(of('https://b.example/'));
  });
});

describe('activatedExtensions', () => {
  const other = 'https://example.com/ext/other/v1';

  it('activates ours among others, comma-separated with spaces, and ignores the rest', () => {
    expect(
      activatedExtensions('1.0', {
        'a2a-extensions': `${other} ,  ${PRODUCT_WATCH_EXTENSION_URI}`,
      }),
    ).toEqual([PRODUCT_WATCH_EXTENSION_URI]);
    expect(activatedExtensions('1.0', { 'a2a-extensions': other })).toEqual([]);
    expect(activatedExtensions('1.0', {})).toEqual([]);
  });

  it('reads v1.0 from A2A-Extensions only, v0.3 from X-A2A-Extensions or A2A-Extensions', () => {
    expect(activatedExtensions('1.0', { 'x-a2a-extensions': PRODUCT_WATCH_EXTENSION_URI })).toEqual(
      [],
    );
    expect(activatedExtensions('0.3', { 'x-a2a-extensions': PRODUCT_WATCH_EXTENSION_URI })).toEqual(
      [PRODUCT_WATCH_EXTENSION_URI],
    );
    expect(activatedExtensions('0.3', { 'a2a-extensions': PRODUCT_WATCH_EXTENSION_URI })).toEqual([
      PRODUCT_WATCH_EXTENSION_URI,
    ]);
  });

  it('reads a header repeated (an array of values) and names ours once', () => {
    expect(
      activatedExtensions('1.0', {
        'a2a-extensions': [other, PRODUCT_WATCH_EXTENSION_URI, PRODUCT_WATCH_EXTENSION_URI],
      }),
    ).toEqual([PRODUCT_WATCH_EXTENSION_URI]);
  });

  it('does not take another version of the extension for it (no fallback, §4.6.3)', () => {
    const v2 = PRODUCT_WATCH_EXTENSION_URI.replace(/\/v1$/, '/v2');
    expect(activatedExtensions('1.0', { 'a2a-extensions': v2 })).toEqual([]);
  });
});

describe('a product-watch task on the wire', () => {
  const task: IntentTask = {
    id: 't-1',
    contextId: 'c-1',
    tenant: 'acme',
    version: 0,
    state: 'completed',
    createdAt: '2026-06-28T09:00:00.000Z',
    updatedAt: '2026-06-28T09:00:00.000Z',
    requestHash: 'h',
    message: { messageId: 'm-1', parts: [{ type: 'data', data: { action: 'list_watches' } }] },
    outcome: {
      kind: 'subscriptions',
      operation: 'stored',
      created: true,
      subscriptions: [{ id: 'w-1', url: 'https://agent.example/hooks' }],
    },
  };

  it('carries the subscriptions in its artifact and says where events go', () => {
    const view = taskView(task);
    expect(view.artifacts?.[0]?.data).toEqual({
      type: 'product_watches',
      action: 'watch_products',
      created: true,
      subscriptions: [{ id: 'w-1', url: 'https://agent.example/hooks' }],
    });
    expect(view.statusText).toBe(
      'Watch w-1 created: signed decision.changed events go to https://agent.example/hooks.',
    );
  });

  it('claims no product decision when decoded back, in either version', () => {
    expect(decodeA2aV1Task(renderTaskV1(taskView(task))).claims).toEqual([]);
    expect(decodeA2aV03Task(renderTaskV03(taskView(task))).claims).toEqual([]);
  });
});
