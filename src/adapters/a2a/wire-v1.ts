import { z } from 'zod';
import type { IntentTaskState, ReceivedPart } from '../../domain/index.js';
import { InstantSchema } from '../../domain/index.js';
import type { A2aOperation, InboundMessage, InboundPart } from './operation.js';
import type { ArtifactView, TaskView } from './project.js';

/**
 * A2A v1.0 on the JSON-RPC binding: ProtoJSON of a2a.proto (camelCase fields, enums as their
 * SCREAMING_SNAKE names), exactly what `@a2a-js/sdk`'s JsonRpcTransport sends and reads.
 */

const id = z.string().min(1).max(200);
const struct = z.record(z.string(), z.unknown());

/** Part: a oneof of text, raw, url, data (proto `content`), plus metadata and media type. */
const PartSchema = z
  .object({
    text: z.string().max(100_000).optional(),
    raw: z.string().max(1_000_000).optional(),
    url: z.string().max(4_000).optional(),
    data: z.unknown().optional(),
    metadata: struct.optional(),
    filename: z.string().max(500).optional(),
    mediaType: z.string().max(200).optional(),
  })
  .refine(
    (part) =>
      [part.text, part.raw, part.url, part.data].filter((value) => value !== undefined).length ===
      1,
    { message: 'a part holds exactly one of text, raw, url or data' },
  );

const MessageSchema = z.object({
  messageId: id,
  contextId: id.optional(),
  taskId: id.optional(),
  role: z.enum(['ROLE_USER', 'ROLE_AGENT']),
  parts: z.array(PartSchema).min(1).max(20),
  metadata: struct.optional(),
  extensions: z.array(z.string().max(500)).max(20).optional(),
  referenceTaskIds: z.array(id).max(20).optional(),
});

export const SendMessageParamsSchema = z.object({
  tenant: z.string().max(200).optional(),
  message: MessageSchema,
  configuration: z
    .object({
      acceptedOutputModes: z.array(z.string().max(200)).max(20).optional(),
      taskPushNotificationConfig: struct.optional(),
      historyLength: z.number().int().min(0).optional(),
      returnImmediately: z.boolean().optional(),
    })
    .optional(),
  metadata: struct.optional(),
});

export const GetTaskParamsSchema = z.object({
  tenant: z.string().max(200).optional(),
  id,
  historyLength: z.number().int().min(0).optional(),
});

export const SubscribeToTaskParamsSchema = z.object({
  tenant: z.string().max(200).optional(),
  id,
});

export const CancelTaskParamsSchema = z.object({
  tenant: z.string().max(200).optional(),
  id,
  metadata: struct.optional(),
});

/** TaskState names, ours first; the rest are states this agent never produces. */
export const V1_TASK_STATES = {
  input_required: 'TASK_STATE_INPUT_REQUIRED',
  submitted: 'TASK_STATE_SUBMITTED',
  working: 'TASK_STATE_WORKING',
  completed: 'TASK_STATE_COMPLETED',
  failed: 'TASK_STATE_FAILED',
  canceled: 'TASK_STATE_CANCELED',
} as const satisfies Record<IntentTaskState, string>;

const UNREACHED_STATES = [
  'TASK_STATE_UNSPECIFIED',
  'TASK_STATE_REJECTED',
  'TASK_STATE_AUTH_REQUIRED',
] as const;

export const ListTasksParamsSchema = z.object({
  tenant: z.string().max(200).optional(),
  contextId: id.optional(),
  status: z.enum([...Object.values(V1_TASK_STATES), ...UNREACHED_STATES]).optional(),
  pageSize: z.number().int().min(1).max(100).optional(),
  pageToken: z.string().max(200).optional(),
  historyLength: z.number().int().min(0).optional(),
  statusTimestampAfter: InstantSchema.optional(),
  includeArtifacts: z.boolean().optional(),
});

function inboundPart(part: z.infer<typeof PartSchema>): InboundPart {
  const media = part.mediaType === undefined ? {} : { mediaType: part.mediaType };
  if (part.text !== undefined) return { type: 'text', text: part.text, ...media };
  if (part.data !== undefined) return { type: 'data', data: part.data, ...media };
  if (part.raw !== undefined) return { type: 'file', bytes: part.raw, ...media };
  return { type: 'file', uri: part.url, ...media };
}

function inboundMessage(message: z.infer<typeof MessageSchema>): InboundMessage {
  const inbound: InboundMessage = {
    messageId: message.messageId,
    role: message.role === 'ROLE_USER' ? 'user' : 'agent',
    parts: message.parts.map(inboundPart),
  };
  if (message.contextId !== undefined) inbound.contextId = message.contextId;
  if (message.taskId !== undefined) inbound.taskId = message.taskId;
  return inbound;
}

const stateOfWire = new Map<string, IntentTaskState>(
  Object.entries(V1_TASK_STATES).map(([state, wire]) => [wire, state as IntentTaskState]),
);

/** Each v1 method this endpoint serves: its params schema and the operation it becomes. */
export const V1_METHODS = {
  SendMessage: (params: unknown): A2aOperation => send(params, false),
  SendStreamingMessage: (params: unknown): A2aOperation => send(params, true),
  GetTask: (params: unknown): A2aOperation => {
    const parsed = GetTaskParamsSchema.parse(params);
    return { op: 'get', id: parsed.id, historyLength: parsed.historyLength };
  },
  CancelTask: (params: unknown): A2aOperation => ({
    op: 'cancel',
    id: CancelTaskParamsSchema.parse(params).id,
  }),
  SubscribeToTask: (params: unknown): A2aOperation => ({
    op: 'subscribe',
    id: SubscribeToTaskParamsSchema.parse(params).id,
    refuseTerminal: true,
  }),
  ListTasks: (params: unknown): A2aOperation => {
    const parsed = ListTasksParamsSchema.parse(params);
    return {
      op: 'list',
      contextId: parsed.contextId,
      state:
        parsed.status === undefined ? undefined : (stateOfWire.get(parsed.status) ?? 'unreached'),
      pageSize: parsed.pageSize ?? 50,
      pageToken: parsed.pageToken,
      historyLength: parsed.historyLength,
      updatedAfterMs:
        parsed.statusTimestampAfter === undefined
          ? undefined
          : Date.parse(parsed.statusTimestampAfter),
      includeArtifacts: parsed.includeArtifacts ?? false,
    };
  },
} as const;

/** v1 methods that exist in the protocol but that this agent does not offer, and why. */
export const V1_UNOFFERED = {
  CreateTaskPushNotificationConfig: 'PUSH_NOTIFICATION_NOT_SUPPORTED',
  GetTaskPushNotificationConfig: 'PUSH_NOTIFICATION_NOT_SUPPORTED',
  ListTaskPushNotificationConfigs: 'PUSH_NOTIFICATION_NOT_SUPPORTED',
  DeleteTaskPushNotificationConfig: 'PUSH_NOTIFICATION_NOT_SUPPORTED',
  // The card says extendedAgentCard: false, so the operation itself is unsupported (-32004).
  GetExtendedAgentCard: 'UNSUPPORTED_OPERATION',
} as const;

function send(params: unknown, streaming: boolean): A2aOperation {
  const parsed = SendMessageParamsSchema.parse(params);
  return {
    op: 'send',
    message: inboundMessage(parsed.message),
    returnImmediately: parsed.configuration?.returnImmediately ?? false,
    streaming,
    historyLength: parsed.configuration?.historyLength,
    pushConfig: parsed.configuration?.taskPushNotificationConfig !== undefined,
  };
}

// --- rendering ---------------------------------------------------------------------------------

function wirePart(part: ReceivedPart): Record<string, unknown> {
  if (part.type === 'text') return { text: part.text };
  return { data: part.data, mediaType: 'application/json' };
}

function wireArtifact(artifact: ArtifactView): Record<string, unknown> {
  return {
    artifactId: artifact.artifactId,
    name: artifact.name,
    description: artifact.description,
    parts: [{ data: artifact.data, mediaType: 'application/json' }],
  };
}

function wireStatus(view: TaskView): Record<string, unknown> {
  return {
    state: V1_TASK_STATES[view.state],
    timestamp: view.timestamp,
    message: {
      messageId: `${view.id}-status-${view.state}`,
      contextId: view.contextId,
      taskId: view.id,
      role: 'ROLE_AGENT',
      parts: [
        { text: view.statusText },
        ...(view.statusData === undefined
          ? []
          : [{ data: view.statusData, mediaType: 'application/json' }]),
      ],
    },
  };
}

/** Task as ProtoJSON. */
export function renderTaskV1(view: TaskView): Record<string, unknown> {
  return {
    id: view.id,
    contextId: view.contextId,
    status: wireStatus(view),
    ...(view.artifacts === undefined ? {} : { artifacts: view.artifacts.map(wireArtifact) }),
    history: view.history.map((message) => ({
      messageId: message.messageId,
      contextId: message.contextId,
      taskId: message.taskId,
      role: message.role === 'user' ? 'ROLE_USER' : 'ROLE_AGENT',
      parts: message.parts.map(wirePart),
    })),
  };
}

/** SendMessageResponse: the `payload` oneof, here always the task. */
export function renderSendResultV1(view: TaskView): Record<string, unknown> {
  return { task: renderTaskV1(view) };
}

/** StreamResponse events for a task: first the task, then status and artifact updates. */
export function renderStatusUpdateV1(view: TaskView): Record<string, unknown> {
  return { statusUpdate: { taskId: view.id, contextId: view.contextId, status: wireStatus(view) } };
}

export function renderArtifactUpdateV1(
  view: TaskView,
  artifact: ArtifactView,
): Record<string, unknown> {
  return {
    artifactUpdate: {
      taskId: view.id,
      contextId: view.contextId,
      artifact: wireArtifact(artifact),
      append: false,
      lastChunk: true,
    },
  };
}

export function renderListV1(
  views: TaskView[],
  nextPageToken: string,
  pageSize: number,
  totalSize: number,
): Record<string, unknown> {
  return { tasks: views.map(renderTaskV1), nextPageToken, pageSize, totalSize };
}
