import type { ServerResponse } from 'node:http';
import { DELEGATED_PAYMENT_HANDLER } from '../../src/adapters/ucp/payment-handler.js';
import { UCP_VERSION } from '../../src/adapters/ucp/version.js';

/** A platform profile (discovery/profile.json, platform_profile) naming these capabilities. */
export function platformProfile(
  capabilities: Record<string, { version?: string; extends?: string | string[] }[]>,
  version: string = UCP_VERSION,
): Record<string, unknown> {
  return {
    ucp: {
      version,
      services: {
        'dev.ucp.shopping': [
          {
            version,
            spec: `https://ucp.dev/${version}/specification/overview`,
            transport: 'rest',
            schema: `https://ucp.dev/${version}/services/shopping/rest.openapi.json`,
          },
        ],
      },
      capabilities: Object.fromEntries(
        Object.entries(capabilities).map(([name, entries]) => [
          name,
          entries.map((entry) => ({
            version: entry.version ?? UCP_VERSION,
            spec: `https://platform.example/specs/${name}`,
            schema: `https://platform.example/schemas/${name}.json`,
            ...(entry.extends === undefined ? {} : { extends: entry.extends }),
          })),
        ]),
      ),
      payment_handlers: {},
    },
  };
}

/** Answers a JSON document with the given headers. */
export function sendJson(
  response: ServerResponse,
  body: unknown,
  headers: Record<string, string> = {},
  status = 200,
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** A complete's `payment`: one selected instrument of our handler carrying `token`. */
export function paymentWith(
  token: string,
  credentialType: string = DELEGATED_PAYMENT_HANDLER.credentialType,
) {
  return {
    instruments: [
      {
        id: 'instr_1',
        handler_id: DELEGATED_PAYMENT_HANDLER.id,
        type: 'card',
        selected: true,
        credential: { type: credentialType, token },
      },
    ],
  };
}
