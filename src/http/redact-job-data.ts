/**
 * Field names whose values never leave the server in the dashboard: payment data, mandates,
 * allowances, tokens and secrets. Matching is by key, at any depth, case-insensitive.
 */
const SECRET_KEYS =
  /^(authorization|token|accesstoken|secret|webhooksecret|password|payment(data|_data|token|_token)?|card|cardnumber|number|cvc|cvv|mandate|allowance|credential|signature)$/i;

export function redactJobData(data: unknown, depth = 0): unknown {
  if (depth > 20 || data === null || typeof data !== 'object') return data;
  if (Array.isArray(data)) return data.map((item) => redactJobData(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    out[key] = SECRET_KEYS.test(key) ? '[redacted]' : redactJobData(value, depth + 1);
  }
  return out;
}
