import { z } from 'zod';
import { type FaultOptions, type SandboxServer, startSandboxServer } from './sandbox-server.js';

/** The sandbox receipt provider: issues one receipt per accepted call. */

const ReceiptSchema = z.object({
  checkoutId: z.string().min(1),
  orderId: z.string().min(1),
  lines: z.array(z.unknown()),
  total: z.object({ amount: z.number().int(), currency: z.string().length(3) }),
});

export interface SandboxReceiptServer extends SandboxServer {
  receipts: Map<string, z.infer<typeof ReceiptSchema>>;
}

export async function startSandboxReceipt(
  options: { faults?: FaultOptions; port?: number } = {},
): Promise<SandboxReceiptServer> {
  const receipts = new Map<string, z.infer<typeof ReceiptSchema>>();
  const server = await startSandboxServer({
    name: 'sandbox-receipt',
    faults: options.faults,
    port: options.port,
    handler(call) {
      if (call.method !== 'POST' || call.path !== '/receipts') {
        return { status: 404, body: { error: 'not_found' } };
      }
      const parsed = ReceiptSchema.safeParse(call.body);
      if (!parsed.success) return { status: 400, body: { error: 'invalid_request' } };
      const receiptId = `rcpt_${receipts.size + 1}`;
      receipts.set(receiptId, parsed.data);
      return { status: 201, body: { receiptId } };
    },
  });
  return Object.assign(server, { receipts });
}
