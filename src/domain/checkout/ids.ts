/**
 * The ids a checkout transition hands out. The domain never mints one: the service passes a
 * generator in (services/checkout/checkout-ids.ts), tests pass a deterministic one.
 */
export interface CheckoutIds {
  checkoutId(): string;
  correlationId(): string;
  /** The payment of the checkout's `attempt`-th payment attempt. */
  paymentId(checkoutId: string, attempt: number): string;
  /** The stock reservation of that attempt. */
  reservationId(checkoutId: string, attempt: number): string;
  /** The order a completed checkout became. */
  orderId(checkoutId: string): string;
}
