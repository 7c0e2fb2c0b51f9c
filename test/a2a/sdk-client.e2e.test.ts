import { randomUUID } from 'node:crypto';
import {
  CancelTaskRequest,
  GetTaskRequest,
  ListTasksRequest,
  Message,
  Role,
  SendMessageRequest,
  TaskState,
} from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULESET_VERSION } from '../../src/domain/index.js';
import {
  type A2aHarness,
  ACME_TOKEN,
  clientFactory,
  RETURN_TERMS,
  startA2aHarness,
} from '../helpers/a2a.js';

/** A user message whose one data part is the request. */
function ask(data: Record<string, unknown>, messageId: string = randomUUID()): Message {
  return Message.fromJSON({ messageId, role: 'ROLE_USER', parts: [{ data }] });
}

/** SendMessageRequest built the SDK's way (ProtoJSON in, its typed message out). */
function send(
  data: Record<string, unknown>,
  options: { messageId?: string; returnImmediately?: boolean } = {},
): SendMessageRequest {
  return SendMessageRequest.fromJSON({
    message: Message.toJSON(ask(data, options.messageId)),
    configuration: { returnImmediately: options.returnImmediately ?? false },
  });
}

/** The data of a task's one artifact part. */
function artifactData(task: { artifacts: { parts: { content?: unknown }[] }[] }) {
  const part = task.artifacts[0]?.parts[0];
  const content = part?.content as { $case: string; value: Record<string, unknown> } | undefined;
  expect(content?.$case).toBe('data');
  return content?.value as Record<string, unknown> & {
    blockers: { code: string; nextAction: string }[];
  };
}

describe('A2A v1.0 with the @a2a-js/sdk client', () => {
  let harness: A2aHarness;
  let client: Client;

  beforeAll(async () => {
    harness = await startA2aHarness();
    client = await clientFactory(ACME_TOKEN).createFromUrl(harness.baseUrl);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('discovers the endpoint from the agent card and speaks 1.0', () => {
    expect(client.protocolVersion).toBe('1.0');
  });

  describe('when asked for the Travel Backpack return terms (EU consumer)', () => {
    it('completes the task with a blocked decision naming RETURN_POLICY_MISSING', async () => {
      const result = await client.sendMessage(send(RETURN_TERMS));
      const task = result as Exclude<typeof result, Message>;
      expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      const decision = artifactData(task);
      expect(decision).toMatchObject({
        type: 'decision',
        action: 'quote_policy',
        policyDomain: 'returns',
        productId: 'BAG-TRAVEL-42',
        context: { region: 'EU', buyerType: 'consumer', channel: 'agent' },
        result: 'blocked',
        allowed: false,
        evaluatedAt: '2026-06-28T09:00:00.000Z',
      });
      expect(decision.blockers.map((b) => b.code)).toEqual(['RETURN_POLICY_MISSING']);
      expect(decision.blockers[0]?.nextAction).toMatch(/return-policy coverage/);
      expect(decision.evidenceIds).toContain(
        `eligibility_rule:${RULESET_VERSION}/quote_policy/returns`,
      );
    });
  });

  it('quotes the EU shipping and the warranty terms as allowed', async () => {
    for (const policyDomain of ['shipping', 'warranty']) {
      const result = await client.sendMessage(
        send({ ...RETURN_TERMS, action: 'quote_policy', policyDomain }),
      );
      const task = result as Exclude<typeof result, Message>;
      expect(artifactData(task)).toMatchObject({ result: 'allowed', blockers: [], policyDomain });
    }
  });

  it('blocks US shipping for a US consumer', async () => {
    const result = await client.sendMessage(
      send({ ...RETURN_TERMS, action: 'get_shipping_terms', country: 'US' }),
    );
    const decision = artifactData(result as Exclude<typeof result, Message>);
    expect(decision).toMatchObject({ result: 'blocked', context: { region: 'US' } });
    expect(decision.blockers.map((b) => b.code)).toContain('SHIPPING_POLICY_MISSING');
  });

  it('returns the whole profile, the same decisions every surface projects', async () => {
    const result = await client.sendMessage(send({ ...RETURN_TERMS, action: 'get_profile' }));
    const profile = artifactData(result as Exclude<typeof result, Message>) as unknown as {
      decisions: { action: string; policyDomain?: string; result: string }[];
    };
    const resultOf = (action: string, policyDomain?: string) =>
      profile.decisions.find((d) => d.action === action && d.policyDomain === policyDomain)?.result;
    expect(resultOf('discover')).toBe('allowed');
    expect(resultOf('compare')).toBe('allowed');
    expect(resultOf('quote_policy', 'returns')).toBe('blocked');
    expect(resultOf('add_to_cart')).toBe('requires_revalidation');
    expect(resultOf('prepare_checkout')).toBe('blocked');
    expect(resultOf('delegate_payment')).toBe('blocked');
  });

  describe('with returnImmediately', () => {
    it('answers SUBMITTED at once, and the same message later answers the finished task', async () => {
      const messageId = randomUUID();
      const first = await client.sendMessage(
        send(RETURN_TERMS, { messageId, returnImmediately: true }),
      );
      const submitted = first as Exclude<typeof first, Message>;
      expect(submitted.status?.state).toBe(TaskState.TASK_STATE_SUBMITTED);
      // Sending the same message again is idempotent: same task, now waited for.
      const again = await client.sendMessage(send(RETURN_TERMS, { messageId }));
      const finished = again as Exclude<typeof again, Message>;
      expect(finished.id).toBe(submitted.id);
      expect(finished.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      const fetched = await client.getTask(GetTaskRequest.fromJSON({ id: submitted.id }));
      expect(fetched.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(artifactData(fetched).blockers[0]?.code).toBe('RETURN_POLICY_MISSING');
    });
  });

  it('streams the task, its artifact and a final completed status', async () => {
    const events = [];
    for await (const event of client.sendMessageStream(send(RETURN_TERMS))) events.push(event);
    const cases = events.map((event) => event.payload?.$case);
    expect(cases[0]).toBe('task');
    expect(cases).toContain('artifactUpdate');
    const last = events.at(-1)?.payload;
    expect(last?.$case).toBe('statusUpdate');
    if (last?.$case === 'statusUpdate')
      expect(last.value.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
  });

  it('lists the tenant’s tasks, newest first, with their states', async () => {
    // Tasks of its own, so the listing does not depend on the tests that ran before.
    for (let i = 0; i < 3; i++) await client.sendMessage(send(RETURN_TERMS));
    const listed = await client.listTasks(
      ListTasksRequest.fromJSON({
        status: 'TASK_STATE_COMPLETED',
        pageSize: 2,
        includeArtifacts: true,
      }),
    );
    expect(listed.tasks).toHaveLength(2);
    expect(listed.totalSize).toBeGreaterThanOrEqual(3);
    expect(listed.nextPageToken).not.toBe('');
    expect(
      listed.tasks.every((task) => task.status?.state === TaskState.TASK_STATE_COMPLETED),
    ).toBe(true);
  });

  it('refuses to cancel a completed task with TaskNotCancelableError', async () => {
    const result = await client.sendMessage(send(RETURN_TERMS));
    const task = result as Exclude<typeof result, Message>;
    await expect(
      client.cancelTask(CancelTaskRequest.fromJSON({ id: task.id })),
    ).rejects.toMatchObject({ name: 'TaskNotCancelableError' });
  });

  it('answers TaskNotFoundError for an unknown task', async () => {
    await expect(
      client.getTask(GetTaskRequest.fromJSON({ id: randomUUID() })),
    ).rejects.toMatchObject({
      name: 'TaskNotFoundError',
    });
  });

  describe('when asked to add the Travel Backpack to a cart (inventory stale)', () => {
    it('completes the task with the checkout service’s refusal: requires_revalidation', async () => {
      const result = await client.sendMessage(
        send({
          action: 'add_to_cart',
          productId: 'BAG-TRAVEL-42',
          quantity: 1,
          country: 'DE',
          buyerType: 'consumer',
        }),
      );
      const task = result as Exclude<typeof result, Message>;
      expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      const step = artifactData(task);
      expect(step).toMatchObject({
        type: 'checkout',
        action: 'add_to_cart',
        outcome: 'refused',
        result: 'requires_revalidation',
        allowed: false,
        checkout: { state: 'cart_open', lines: [] },
      });
      expect(step.blockers.map((b) => b.code)).toContain('INVENTORY_STALE');
    });
  });

  it('uses Role from the SDK for user messages', () => {
    expect(ask(RETURN_TERMS).role).toBe(Role.ROLE_USER);
  });
});
