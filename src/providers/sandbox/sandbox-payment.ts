import { z } from 'zod';
import {
  type FaultOptions,
  type SandboxReply,
  type SandboxServer,
  startSandboxServer,
} from './sandbox-server.js';

/**
 * The sandbox payment provider. It enforces the rules a real acquirer does: capture only an
 * authorization, void only before capture, refund only what was captured and not refunded.
 */

const AuthorizeSchema = z.object({
  paymentId: z.string().min(1),
  checkoutId: z.string().min(1),
  amount: z.number().int().nonnegative(),
  currency: z.string().length(3),
  allowanceRef: z.string().min(1),
});
const RefundSchema = z.object({ amount: z.number().int().positive() });

export interface SandboxPayment {
  paymentId: string;
  checkoutId: string;
  status: 'authorized' | 'captured' | 'refunded' | 'voided';
  amount: number;
  currency: string;
  capturedAmount: number;
  refundedAmount: number;
}

export interface SandboxPaymentOptions {
  faults?: FaultOptions;
  port?: number;
}

export interface SandboxPaymentServer extends SandboxServer {
  payments: Map<string, SandboxPayment>;
  /** checkoutId → captures applied: "charged once" means exactly 1. */
  capturesByCheckout: Map<string, number>;
}

const refuse = (error: string, payment?: SandboxPayment): SandboxReply => ({
  status: 409,
  body: { error, status: payment?.status },
});

export async function startSandboxPayment(
  options: SandboxPaymentOptions = {},
): Promise<SandboxPaymentServer> {
  const payments = new Map<string, SandboxPayment>();
  const capturesByCheckout = new Map<string, number>();
  const server = await startSandboxServer({
    name: 'sandbox-payment',
    faults: options.faults,
    port: options.port,
    handler(call) {
      if (call.method === 'POST' && call.path === '/payments/authorize') {
        const parsed = AuthorizeSchema.safeParse(call.body);
        if (!parsed.success) return { status: 400, body: { error: 'invalid_request' } };
        const { paymentId, checkoutId, amount, currency } = parsed.data;
        if (payments.has(paymentId)) return refuse('payment_exists', payments.get(paymentId));
        const payment: SandboxPayment = {
          paymentId,
          checkoutId,
          status: 'authorized',
          amount,
          currency,
          capturedAmount: 0,
          refundedAmount: 0,
        };
        payments.set(paymentId, payment);
        return { status: 201, body: payment };
      }
      const match = /^\/payments\/([^/]+)(?:\/(capture|void|refund))?$/.exec(call.path);
      if (match === null) return { status: 404, body: { error: 'not_found' } };
      const payment = payments.get(decodeURIComponent(match[1] as string));
      if (payment === undefined) return { status: 404, body: { error: 'payment_not_found' } };
      const action = match[2];
      if (call.method === 'GET' && action === undefined) return { status: 200, body: payment };
      if (call.method !== 'POST') return { status: 405, body: { error: 'method_not_allowed' } };
      if (action === 'capture') {
        if (payment.status !== 'authorized') return refuse('capture_not_allowed', payment);
        payment.status = 'captured';
        payment.capturedAmount = payment.amount;
        capturesByCheckout.set(
          payment.checkoutId,
          (capturesByCheckout.get(payment.checkoutId) ?? 0) + 1,
        );
        return { status: 200, body: payment };
      }
      if (action === 'void') {
        if (payment.status !== 'authorized') return refuse('void_not_allowed', payment);
        payment.status = 'voided';
        return { status: 200, body: payment };
      }
      const parsed = RefundSchema.safeParse(call.body);
      if (!parsed.success) return { status: 400, body: { error: 'invalid_request' } };
      if (payment.status !== 'captured') return refuse('refund_not_allowed', payment);
      if (parsed.data.amount > payment.capturedAmount - payment.refundedAmount) {
        return { status: 422, body: { error: 'refund_exceeds_captured' } };
      }
      payment.refundedAmount += parsed.data.amount;
      if (payment.refundedAmount === payment.capturedAmount) payment.status = 'refunded';
      return { status: 200, body: payment };
    },
  });
  return Object.assign(server, { payments, capturesByCheckout });
}
