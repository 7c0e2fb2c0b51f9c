import { z } from 'zod';
import type { IntentTaskState, ReceivedPart } from '../../domain/index.js';
import type { A2aOperation, InboundMessage, InboundPart } from './operation.js';
import type { ArtifactView, TaskView } from './project.js';

/**
 * A2A v0.3 on JSON-RPC (specification/json/a2a.json at v0.3.0): slash method names, `kind`
 * discriminators, lower-case task states. What `@a2a-js/sdk`'s LegacyJsonRpcTransport sends.
 */

const id = z.string().min(1).max(200);
const struct = z.record(z.string(), z.unknown());

const PartSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: z.string().max(100_000), metadata: struct.optional() }),
  z.object({ kind: z.literal('data'), data: struct, metadata: struct.optional() }),
  z.object({
    kind: z.literal('file'),
    file: z.object({
      name: z.string().max(500).optional(),
      mimeType: z.string().max(200).optional(),
      bytes: z.string().max(1_000_000).optional(),
      uri: z.string().max(4_000).optional(),
    }),
    metadata: struct.optional(),
  }),
]);

const MessageSchema = z.object({
  kind: z.literal('message'),
  messageId: id,
  contextId: id.optional(),
  taskId: id.optional(),
  role: z.enum(['user', 'agent']),
  parts: z.array(PartSchema).min(1).max(20),
  metadata: struct.optional(),
  extensions: z.array(z.string().max(500)).max(20).optional(),
  referenceTaskIds: z.array(id).max(20).optional(),
});

export const MessageSendParamsSchema = z.object({
  message: MessageSchema,
  configuration: z
    .object({
      acceptedOutputModes: z.array(z.string().max(200)).max(20).optional(),
      blocking: z.boolean().optional(),
      historyLength: z.number().int().min(0).optional(),
      pushNotificationConfig: struct.optional(),
    })
    .optional(),
  metadata: struct.optional(),
});

export const TaskQueryParamsSchema = z.object({
  id,
  historyLength: z.number().int().min(0).optional(),
  metadata: struct.optional(),
});

export const TaskIdParamsSchema = z.object({ id, metadata: struct.optional() });

function inboundPart(part: z.infer<typeof PartSchema>): InboundPart {
  if (part.kind === 'text') return { type: 'text', text: part.text };
  if (part.kind === 'data') return { type: 'data', data: part.data };
  const { mimeType, bytes, uri } = part.file;
  return {
    type: 'file',
    ...(mimeType === undefined ? {} : { mediaType: mimeType }),
    ...(bytes === undefined ? {} : { bytes }),
    ...(uri === undefined ? {} : { uri }),
  };
}

function inboundMessage(message: z.infer<typeof MessageSchema>): InboundMessage {
  const inbound: InboundMessage = {
    messageId: message.messageId,
    role: message.role,
    parts: message.parts.map(inboundPart),
  };
  if (message.contextId !== undefined) inbound.contextId = message.contextId;
  if (message.taskId !== undefined) inbound.taskId = message.taskId;
  return inbound;
}

function send(params: unknown, streaming: boolean): A2aOperation {
  const parsed = MessageSendParamsSchema.parse(params);
  return {
    op: 'send',
    message: inboundMessage(parsed.message),
    // v0.3 blocks unless told not to (MessageSendConfiguration.blocking).
    returnImmediately: parsed.configuration?.blocking === false,
    streaming,
    historyLength: parsed.configuration?.historyLength,
    pushConfig: parsed.configuration?.pushNotificationConfig !== undefined,
  };
}

export const V03_METHODS = {
  'message/send': (params: unknown): A2aOperation => send(params, false),
  'message/stream': (params: unknown): A2aOperation => send(params, true),
  'tasks/get': (params: unknown): A2aOperation => {
    const parsed = TaskQueryParamsSchema.parse(params);
    return { op: 'get', id: parsed.id, historyLength: parsed.historyLength };
  },
  'tasks/cancel': (params: unknown): A2aOperation => ({
    op: 'cancel',
    id: TaskIdParamsSchema.parse(params).id,
  }),
  'tasks/resubscribe': (params: unknown): A2aOperation => ({
    op: 'subscribe',
    id: TaskIdParamsSchema.parse(params).id,
    refuseTerminal: false,
  }),
} as const;

export const V03_UNOFFERED = {
  'tasks/pushNotificationConfig/set': 'PUSH_NOTIFICATION_NOT_SUPPORTED',
  'tasks/pushNotificationConfig/get': 'PUSH_NOTIFICATION_NOT_SUPPORTED',
  'tasks/pushNotificationConfig/list': 'PUSH_NOTIFICATION_NOT_SUPPORTED',
  'tasks/pushNotificationConfig/delete': 'PUSH_NOTIFICATION_NOT_SUPPORTED',
  'agent/getAuthenticatedExtendedCard': 'EXTENDED_CARD_NOT_CONFIGURED',
} as const;

// --- rendering ---------------------------------------------------------------------------------

export const V03_TASK_STATES = {
  input_required: 'input-required',
  submitted: 'submitted',
  working: 'working',
  completed: 'completed',
  failed: 'failed',
  canceled: 'canceled',
} as const satisfies Record<IntentTaskState, string>;

function wirePart(part: ReceivedPart): Record<string, unknown> {
  if (part.type === 'text') return { kind: 'text', text: part.text };
  return { kind: 'data', data: part.data };
}

function wireArtifact(artifact: ArtifactView): Record<string, unknown> {
  return {
    artifactId: artifact.artifactId,
    name: artifact.name,
    description: artifact.description,
    parts: [{ kind: 'data', data: artifact.data }],
  };
}

function wireStatus(view: TaskView): Record<string, unknown> {
  return {
    state: V03_TASK_STATES[view.state],
    timestamp: view.timestamp,
    message: {
      kind: 'message',
      messageId: `${view.id}-status-${view.state}`,
      contextId: view.contextId,
      taskId: view.id,
      role: 'agent',
      parts: [
        { kind: 'text', text: view.statusText },
        ...(view.statusData === undefined ? [] : [{ kind: 'data', data: view.statusData }]),
      ],
    },
  };
}

export function renderTaskV03(view: TaskView): Record<string, unknown> {
  return {
    kind: 'task',
    id: view.id,
    contextId: view.contextId,
    status: wireStatus(view),
    ...(view.artifacts === undefined ? {} : { artifacts: view.artifacts.map(wireArtifact) }),
    history: view.history.map((message) => ({
      kind: 'message',
      messageId: message.messageId,
      contextId: message.contextId,
      taskId: message.taskId,
      role: message.role,
      parts: message.parts.map(wirePart),
    })),
  };
}

export function renderStatusUpdateV03(view: TaskView, final: boolean): Record<string, unknown> {
  return {
    kind: 'status-update',
    taskId: view.id,
    contextId: view.contextId,
    status: wireStatus(view),
    final,
  };
}

export function renderArtifactUpdateV03(
  view: TaskView,
  artifact: ArtifactView,
): Record<string, unknown> {
  return {
    kind: 'artifact-update',
    taskId: view.id,
    contextId: view.contextId,
    artifact: wireArtifact(artifact),
    append: false,
    lastChunk: true,
  };
}
