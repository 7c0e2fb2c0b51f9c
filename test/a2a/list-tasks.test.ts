import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACME_TOKEN, RETURN_TERMS, startA2aHarness } from '../helpers/a2a.js';

const headers = {
  'content-type': 'application/json',
  'a2a-version': '1.0',
  authorization: `Bearer ${ACME_TOKEN}`,
};

describe('ListTasks over the A2A endpoint (v1)', () => {
  let harness: Awaited<ReturnType<typeof startA2aHarness>>;
  // A context of this test's own, so tasks other tests create never enter the listing.
  const contextId = randomUUID();

  const call = async (method: string, params: unknown) => {
    const response = await harness.app.inject({
      method: 'POST',
      url: '/a2a',
      headers,
      payload: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    return response.json();
  };
  const send = async () => {
    const body = await call('SendMessage', {
      message: {
        messageId: randomUUID(),
        contextId,
        role: 'ROLE_USER',
        parts: [{ data: RETURN_TERMS }],
      },
    });
    return body.result.task.id as string;
  };

  beforeAll(async () => {
    harness = await startA2aHarness({
      workers: false,
      listen: false,
      env: { A2A_BLOCKING_TIMEOUT_MS: '0' },
    });
  });
  afterAll(() => harness.close());

  it('omits artifacts unless includeArtifacts is true', async () => {
    await send();
    const plain = await call('ListTasks', { contextId });
    expect(plain.result.tasks.length).toBeGreaterThan(0);
    for (const task of plain.result.tasks) expect(task).not.toHaveProperty('artifacts');
    const withArtifacts = await call('ListTasks', { contextId, includeArtifacts: true });
    for (const task of withArtifacts.result.tasks) expect(task).toHaveProperty('artifacts');
  });

  it('pages by cursor: a task created between pages neither repeats nor skips a task', async () => {
    const pageContext = randomUUID();
    const sendIn = async () => {
      const body = await call('SendMessage', {
        message: {
          messageId: randomUUID(),
          contextId: pageContext,
          role: 'ROLE_USER',
          parts: [{ data: RETURN_TERMS }],
        },
      });
      return body.result.task.id as string;
    };
    const before: string[] = [];
    for (let i = 0; i < 4; i++) before.push(await sendIn());
    const seen: string[] = [];
    let token = '';
    for (let page = 0; page < 10; page++) {
      const body = await call('ListTasks', {
        contextId: pageContext,
        pageSize: 2,
        pageToken: token,
      });
      seen.push(...body.result.tasks.map((task: { id: string }) => task.id));
      token = body.result.nextPageToken;
      // A task created after the first page: the listing must neither repeat nor skip one.
      if (page === 0) {
        expect(token).not.toBe('');
        await sendIn();
      }
      if (token === '') break;
    }
    expect(token).toBe('');
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of before) expect(seen).toContain(id);
  });

  it('refuses a page token it did not issue with -32602', async () => {
    const body = await call('ListTasks', { pageToken: 'bm90LW91cnM' });
    expect(body.error.code).toBe(-32602);
  });
});
