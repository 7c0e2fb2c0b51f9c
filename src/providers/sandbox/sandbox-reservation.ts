import { z } from 'zod';
import {
  type FaultOptions,
  type SandboxReply,
  type SandboxServer,
  startSandboxServer,
} from './sandbox-server.js';

/** The sandbox inventory-reservation provider: holds stock per reservation id. */

const ReserveSchema = z.object({
  reservationId: z.string().min(1),
  lines: z
    .array(z.object({ sku: z.string().min(1), quantity: z.number().int().positive() }))
    .min(1),
  ttlSeconds: z.number().int().positive(),
});

interface Reservation {
  lines: { sku: string; quantity: number }[];
  status: 'held' | 'released';
}

export interface SandboxReservationOptions {
  faults?: FaultOptions;
  /** Units on hand per SKU; an SKU not listed has unlimited stock. */
  stock?: Record<string, number>;
  port?: number;
}

export interface SandboxReservation extends SandboxServer {
  reservations: Map<string, Reservation>;
}

const invalid = (error: z.ZodError): SandboxReply => ({
  status: 400,
  body: { error: 'invalid_request', issues: error.issues.map((i) => i.path.join('.')) },
});

export async function startSandboxReservation(
  options: SandboxReservationOptions = {},
): Promise<SandboxReservation> {
  const reservations = new Map<string, Reservation>();
  const stock = new Map(Object.entries(options.stock ?? {}));
  const server = await startSandboxServer({
    name: 'sandbox-reservation',
    faults: options.faults,
    port: options.port,
    handler(call) {
      if (call.method === 'POST' && call.path === '/reservations') {
        const parsed = ReserveSchema.safeParse(call.body);
        if (!parsed.success) return invalid(parsed.error);
        const { reservationId, lines } = parsed.data;
        if (reservations.has(reservationId)) {
          return { status: 409, body: { error: 'reservation_exists', reservationId } };
        }
        const short = lines.find((line) => (stock.get(line.sku) ?? Infinity) < line.quantity);
        if (short !== undefined) {
          return { status: 409, body: { error: 'insufficient_stock', sku: short.sku } };
        }
        for (const line of lines) {
          const onHand = stock.get(line.sku);
          if (onHand !== undefined) stock.set(line.sku, onHand - line.quantity);
        }
        reservations.set(reservationId, { lines, status: 'held' });
        return { status: 201, body: { reservationId, status: 'held' } };
      }
      const release = /^\/reservations\/([^/]+)\/release$/.exec(call.path);
      if (call.method === 'POST' && release !== null) {
        const id = decodeURIComponent(release[1] as string);
        const reservation = reservations.get(id);
        // Releasing what was never held is a no-op, so a compensation after an unknown outcome is safe.
        if (reservation === undefined) {
          return { status: 200, body: { reservationId: id, status: 'released', held: false } };
        }
        if (reservation.status === 'held') {
          for (const line of reservation.lines) {
            const onHand = stock.get(line.sku);
            if (onHand !== undefined) stock.set(line.sku, onHand + line.quantity);
          }
          reservation.status = 'released';
        }
        return { status: 200, body: { reservationId: id, status: 'released', held: true } };
      }
      return { status: 404, body: { error: 'not_found' } };
    },
  });
  return Object.assign(server, { reservations });
}
