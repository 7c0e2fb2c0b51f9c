import { verifyWebhookSignature } from '../webhook-signature.js';
import { type FaultOptions, type SandboxServer, startSandboxServer } from './sandbox-server.js';

/**
 * A sandbox agent that subscribes to webhooks: it checks `Merchant-Signature` with the shared
 * secret and refuses (401) anything that does not verify.
 */

export interface ReceivedWebhook {
  path: string;
  webhookId: string;
  timestamp: string;
  body: unknown;
}

export interface SandboxWebhookReceiver extends SandboxServer {
  received: ReceivedWebhook[];
  badSignatures: number;
}

export async function startSandboxWebhookReceiver(options: {
  secret: string;
  faults?: FaultOptions;
  port?: number;
}): Promise<SandboxWebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const state = { badSignatures: 0 };
  const server = await startSandboxServer({
    name: 'sandbox-webhook-receiver',
    faults: options.faults,
    port: options.port,
    handler(call) {
      const signature = call.headers['merchant-signature'];
      const webhookId = call.headers['webhook-id'];
      const timestamp = call.headers['webhook-timestamp'];
      if (
        typeof signature !== 'string' ||
        typeof webhookId !== 'string' ||
        typeof timestamp !== 'string' ||
        !verifyWebhookSignature(options.secret, signature, call.rawBody)
      ) {
        state.badSignatures += 1;
        return { status: 401, body: { error: 'bad_signature' } };
      }
      received.push({ path: call.path, webhookId, timestamp, body: call.body });
      return { status: 204 };
    },
  });
  return Object.assign(server, {
    received,
    get badSignatures() {
      return state.badSignatures;
    },
  });
}
