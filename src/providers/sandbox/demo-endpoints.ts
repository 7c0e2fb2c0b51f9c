import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { ProviderEndpoints } from '../provider-client.js';
import { type SandboxProviders, startSandboxProviders } from './index.js';

/**
 * Where effects go. Configured URLs win; outside production an unset URL is served by the
 * built-in sandbox provider of that kind, started on loopback in this process, so `npm start`
 * works end to end with no other service. In production every URL is required.
 */
export class ProviderUrlsMissingError extends Error {
  constructor(missing: string[]) {
    super(`${missing.join(', ')} must be set in production (sandbox providers are demo-only)`);
    this.name = 'ProviderUrlsMissingError';
  }
}

export interface ResolvedEndpoints {
  endpoints: ProviderEndpoints;
  /** The sandbox providers this process started, if any; closed with the workers. */
  sandbox?: SandboxProviders;
}

export async function resolveProviderEndpoints(
  config: Pick<Config, 'NODE_ENV' | 'RESERVATION_URL' | 'PAYMENT_URL' | 'RECEIPT_URL'>,
  logger: Logger,
): Promise<ResolvedEndpoints> {
  const configured = {
    reservation: config.RESERVATION_URL,
    payment: config.PAYMENT_URL,
    receipt: config.RECEIPT_URL,
  };
  const missing = Object.entries(configured)
    .filter(([, url]) => url === undefined)
    .map(([name]) => `${name.toUpperCase()}_URL`);
  if (missing.length === 0) return { endpoints: configured as ProviderEndpoints };
  if (config.NODE_ENV === 'production') throw new ProviderUrlsMissingError(missing);
  const sandbox = await startSandboxProviders();
  const endpoints: ProviderEndpoints = {
    reservation: configured.reservation ?? sandbox.reservation.url,
    payment: configured.payment ?? sandbox.payment.url,
    receipt: configured.receipt ?? sandbox.receipt.url,
  };
  logger.warn(
    // Named by variable: a `payment` key would be blanked by the log redaction of payment data.
    {
      sandboxUrls: {
        RESERVATION_URL: endpoints.reservation,
        PAYMENT_URL: endpoints.payment,
        RECEIPT_URL: endpoints.receipt,
      },
      replaced: missing,
    },
    'SANDBOX providers started for unset provider URLs (demo mode; no real stock or money moves)',
  );
  return { endpoints, sandbox };
}
