import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

/** Keys that hold a secret or payment data wherever they appear. */
const SECRET_KEYS = [
  'authorization',
  'token',
  'accessToken',
  'secret',
  'webhookSecret',
  'password',
  'payment',
  'paymentData',
  'payment_data',
  'card',
  'cardNumber',
  'card_number',
  // A card number under its own name (ACP's `payment_method.number`), wherever it sits.
  'number',
  'cvc',
  'cvv',
  'cryptogram',
  // ACP delegate_payment's card as a whole: number, CVC, cryptogram, expiry, holder.
  'payment_method',
  'paymentMethod',
  'paymentToken',
  'payment_token',
  'mandate',
  'allowance',
  'credential',
  // AP2: the mandates an agent presents, and the merchant's own signing keys.
  'checkout_mandate',
  'payment_mandate',
  'checkoutMandate',
  'paymentMandate',
  'privateKey',
  'MERCHANT_SIGNING_JWKS',
];

/** Header names that carry credentials, in whatever object holds the headers. */
const SECRET_HEADERS = ['authorization', 'cookie', '["x-api-key"]', '["set-cookie"]'];

/**
 * Paths pino censors before a line is written. Authorization headers, bearer and API tokens,
 * webhook secrets and anything that could carry payment data (card numbers, payment tokens,
 * mandates, allowances) never reach a log. pino's `*` matches exactly one level, so a bare
 * `*.mandate` misses `log.info({ mandate })`: each key is listed at the top level and at the
 * two levels below it, which is as deep as our log objects go.
 */
export const REDACTED_PATHS = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
  ...['headers', '*.headers', '*.*.headers'].flatMap((at) =>
    SECRET_HEADERS.map((header) => (header.startsWith('[') ? `${at}${header}` : `${at}.${header}`)),
  ),
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
