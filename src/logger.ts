import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

/**
 * Paths pino censors before a line is written. Authorization headers, bearer and API tokens,
 * webhook secrets and anything that could carry payment data (card numbers, payment tokens,
 * mandates, allowances) never reach a log.
 */
export const REDACTED_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.authorization',
  '*.headers.authorization',
  'token',
  '*.token',
  '*.*.token',
  'accessToken',
  '*.accessToken',
  'secret',
  '*.secret',
  '*.webhookSecret',
  '*.password',
  'payment',
  '*.payment',
  '*.paymentData',
  '*.payment_data',
  '*.card',
  '*.cardNumber',
  '*.number',
  '*.cvc',
  '*.cvv',
  '*.paymentToken',
  '*.payment_token',
  '*.mandate',
  '*.allowance',
  '*.*.allowance',
  '*.credential',
  '*.*.credential',
];

export function createLogger(options: LoggerOptions = {}, destination?: DestinationStream): Logger {
  const settings: LoggerOptions = {
    level: options.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: 'agent-commerce-worker' },
    ...options,
  };
  return destination ? pino(settings, destination) : pino(settings);
}

export type { Logger };
