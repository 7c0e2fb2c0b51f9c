import type { ReceivedPart } from '../../domain/index.js';
import { isWatchActionName } from './action-vocabulary.js';
import { A2aProtocolError } from './errors.js';
import type { InboundMessage, InboundPart } from './operation.js';
import { type CanonicalRequest, invalid, isRequestObject, parseRequest } from './request-data.js';
import { parseWatchRequest, type WatchRequest } from './watch-request.js';

/**
 * The media types this agent reads in a message: the agent card's `defaultInputModes`.
 * A part declaring any other is refused with ContentTypeNotSupportedError (v1.0.1 §3.1.1),
 * never dropped.
 */
export const ACCEPTED_INPUT_MEDIA_TYPES = ['application/json', 'text/plain'] as const;

/**
 * What a user message is to this agent: one request object (a data part, or JSON text), or
 * conversation without one, which the agent answers by asking for a request. The parts are
 * kept as the task's history shows them.
 */
export type MessageReading =
  | { kind: 'request'; request: CanonicalRequest; parts: ReceivedPart[] }
  /** A product-watch request: no commerce intent, the subscription service answers it. */
  | { kind: 'watch'; watch: WatchRequest; at: string; parts: ReceivedPart[] }
  | { kind: 'conversation'; parts: ReceivedPart[] };

/** `text/plain; charset=utf-8` → `text/plain`. */
function baseType(mediaType: string): string {
  return (mediaType.split(';', 1)[0] ?? '').trim().toLowerCase();
}

function isAccepted(mediaType: string | undefined, ...types: string[]): boolean {
  return mediaType === undefined || types.includes(baseType(mediaType));
}

function notSupported(at: string, what: string): A2aProtocolError {
  return new A2aProtocolError(
    'CONTENT_TYPE_NOT_SUPPORTED',
    `Content type not supported: ${at} is ${what}; this agent reads ${ACCEPTED_INPUT_MEDIA_TYPES.join(' and ')}`,
    { path: at, acceptedMediaTypes: [...ACCEPTED_INPUT_MEDIA_TYPES] },
  );
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A part as the task keeps it; a part of a media type this agent does not read is refused. */
function keptPart(part: InboundPart, at: string): ReceivedPart {
  if (part.type === 'text') {
    if (!isAccepted(part.mediaType, ...ACCEPTED_INPUT_MEDIA_TYPES))
      throw notSupported(at, `text of ${part.mediaType}`);
    return { type: 'text', text: part.text };
  }
  if (part.type === 'data') {
    if (!isAccepted(part.mediaType, 'application/json'))
      throw notSupported(at, `data of ${part.mediaType}`);
    return { type: 'data', data: part.data };
  }
  const mediaType = part.mediaType === undefined ? 'undeclared' : part.mediaType;
  if (part.mediaType === undefined || !isAccepted(part.mediaType, ...ACCEPTED_INPUT_MEDIA_TYPES))
    throw notSupported(at, `a file of media type ${mediaType}`);
  if (part.bytes === undefined)
    throw notSupported(at, 'a file by reference (not fetched); send its content inline');
  // A text/plain or application/json file is text like any other; only its carrier differs.
  const bytes = part.bytes.replace(/\s+/g, '');
  if (!BASE64.test(bytes)) throw invalid(at, 'file bytes are not base64');
  return { type: 'text', text: Buffer.from(bytes, 'base64').toString('utf8') };
}

/** A request object written as JSON text, if the text is one. */
function requestInText(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return isRequestObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a user message: checks each part's media type, then finds the one request object in
 * it. Free text, or data that names no `action`, is conversation; two requests in one message
 * are refused, as is a request with a problem (each named by its JSON path).
 */
export function readMessage(message: InboundMessage, root = 'params.message'): MessageReading {
  if (message.role !== 'user') throw invalid(`${root}.role`, 'requests come from the user role');
  const parts = message.parts.map((part, index) => keptPart(part, `${root}.parts[${index}]`));
  const candidates: { data: Record<string, unknown>; at: string }[] = [];
  for (const [index, part] of parts.entries()) {
    const at = `${root}.parts[${index}]`;
    if (part.type === 'data' && isRequestObject(part.data))
      candidates.push({ data: part.data, at: `${at}.data` });
    if (part.type === 'text') {
      const data = requestInText(part.text);
      if (data !== undefined) candidates.push({ data, at: `${at}.text` });
    }
  }
  if (candidates.length > 1)
    throw invalid(
      `${root}.parts`,
      `expected one request object per message, found ${candidates.length}`,
    );
  const [candidate] = candidates;
  if (candidate === undefined) return { kind: 'conversation', parts };
  const { data, at } = candidate;
  if (isWatchActionName(data.action))
    return { kind: 'watch', watch: parseWatchRequest(data.action, data, at), at, parts };
  return { kind: 'request', request: parseRequest(data, at), parts };
}
