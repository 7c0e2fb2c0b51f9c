import { type SandboxPaymentServer, startSandboxPayment } from './sandbox-payment.js';
import { type SandboxReceiptServer, startSandboxReceipt } from './sandbox-receipt.js';
import { type SandboxReservation, startSandboxReservation } from './sandbox-reservation.js';
import type { FaultOptions } from './sandbox-server.js';

export * from './sandbox-payment.js';
export * from './sandbox-receipt.js';
export * from './sandbox-reservation.js';
export * from './sandbox-server.js';
export * from './sandbox-webhook-receiver.js';

export interface SandboxProviders {
  reservation: SandboxReservation;
  payment: SandboxPaymentServer;
  receipt: SandboxReceiptServer;
  close(): Promise<void>;
}

/**
 * The three sandbox providers together on loopback: the demo's stand-ins for a warehouse, an
 * acquirer and a receipt service, and the tests' real HTTP counterparts.
 */
export async function startSandboxProviders(
  options: { faults?: FaultOptions } = {},
): Promise<SandboxProviders> {
  const [reservation, payment, receipt] = await Promise.all([
    startSandboxReservation({ faults: options.faults }),
    startSandboxPayment({ faults: options.faults }),
    startSandboxReceipt({ faults: options.faults }),
  ]);
  return {
    reservation,
    payment,
    receipt,
    async close() {
      await Promise.all([reservation.close(), payment.close(), receipt.close()]);
    },
  };
}
