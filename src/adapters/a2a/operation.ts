import type { IntentTaskState, ReceivedPart } from '../../domain/index.js';

/**
 * One part of a received message, whichever protocol version carried it, with the media type
 * it declares (v1 `mediaType`, v0.3 `file.mimeType`; text and data parts of v0.3 declare none).
 */
export type InboundPart =
  | { type: 'text'; text: string; mediaType?: string }
  | { type: 'data'; data: unknown; mediaType?: string }
  /** File content: inline (`bytes`, base64) or by reference (`uri`). */
  | { type: 'file'; mediaType?: string; bytes?: string; uri?: string };

/** A received message, version-neutral. */
export interface InboundMessage {
  messageId: string;
  contextId?: string;
  taskId?: string;
  role: 'user' | 'agent';
  parts: InboundPart[];
}

/** A message as a task shows it in its history (or status): parts as they were kept. */
export interface HistoryMessage {
  messageId: string;
  contextId?: string;
  taskId?: string;
  role: 'user' | 'agent';
  parts: ReceivedPart[];
}

/**
 * What a JSON-RPC call asks the endpoint to do, once its version's wire shape is parsed.
 * Both protocol versions parse into these, so the handlers exist once.
 */
export type A2aOperation =
  | {
      op: 'send';
      message: InboundMessage;
      /** v1 `configuration.returnImmediately`, v0.3 `configuration.blocking === false`. */
      returnImmediately: boolean;
      streaming: boolean;
      historyLength?: number;
      pushConfig: boolean;
    }
  | { op: 'get'; id: string; historyLength?: number }
  | { op: 'cancel'; id: string }
  /** v1 SubscribeToTask, v0.3 tasks/resubscribe: stream the task from its current state. */
  | {
      op: 'subscribe';
      id: string;
      /**
       * v1.0 refuses a task already terminal (§3.1.6); v0.3 sets no such rule, and its clients
       * (the v0.3 TCK) expect the task: it is then streamed as it is, and the stream ends.
       */
      refuseTerminal: boolean;
    }
  | {
      op: 'list';
      contextId?: string;
      /** 'unreached': a state this agent never produces, so nothing matches. */
      state?: IntentTaskState | 'unreached';
      pageSize: number;
      pageToken?: string;
      historyLength?: number;
      updatedAfterMs?: number;
      includeArtifacts: boolean;
    };
