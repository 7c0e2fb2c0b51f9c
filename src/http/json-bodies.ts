import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors/codes.js';
import type { App } from './types.js';

/**
 * REST routes take JSON bodies only. fastify would also hand a text/plain body to the route as a
 * string, which then fails validation as "expected object, received string"; without that parser
 * the request is a 415 that names application/json. The JSON parser is fastify's own (it strips
 * `__proto__` and `constructor.prototype` keys, as the app is configured to); when a body does
 * not parse, the answer says where, from JSON.parse's own message.
 */
export function acceptJsonBodiesOnly(scope: App): void {
  scope.removeContentTypeParser('text/plain');
  const secureParse = scope.getDefaultJsonParser('remove', 'remove');
  scope.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    (request: FastifyRequest, body: string | Buffer, done) => {
      const text = String(body);
      secureParse(request, text, (error: Error | null, value?: unknown) => {
        if (error !== null && (error as { code?: string }).code === 'FST_ERR_CTP_INVALID_JSON_BODY')
          return done(new AppError('INVALID_JSON', [whereJsonBreaks(text)]), undefined);
        done(error, value);
      });
    },
  );
}

function whereJsonBreaks(text: string): string {
  try {
    JSON.parse(text);
    return 'it does not parse';
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * For a scope whose routes take an optional body (ACP's and UCP's cancel): a client that says
 * `Content-Type: application/json` and sends nothing is sending no body, not broken JSON. Any
 * other body parses as it would anywhere else.
 */
export function acceptEmptyJsonBody(scope: App): void {
  const parseJson = scope.getDefaultJsonParser('remove', 'remove');
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, done);
  });
}
