import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/codes.js';

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The secret an operator presented: a bearer token, or the password of HTTP Basic auth. */
function presentedSecret(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? undefined : decoded.slice(colon + 1);
  }
  return undefined;
}

/** Basic, so a browser prompts; the realm names which secret opens it (OPERATOR_TOKEN). */
export const OPERATOR_CHALLENGE = 'Basic realm="acw operator", charset="UTF-8"';

/**
 * Operator pages (dashboard, readiness) open with the operator token only; tenant tokens do not.
 * Basic auth lets a person sign in from a browser without a login page.
 */
export function requireOperator(operatorToken: string) {
  return async function authenticateOperator(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    const secret = presentedSecret(request.headers.authorization);
    if (secret === undefined || !same(secret, operatorToken)) {
      reply.header('www-authenticate', OPERATOR_CHALLENGE);
      throw new AppError('OPERATOR_UNAUTHORIZED');
    }
  };
}
