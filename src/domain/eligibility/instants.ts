import { toInstant } from '../time.js';

/**
 * ms → ISO instant, memoised. A batch formats the same few instants (now, each fact's expiry)
 * once per decision; Date#toISOString was a fifth of evaluation time in bench/decide.bench.ts.
 */
const formatted = new Map<number, string>();

export function instantOf(ms: number): string {
  let text = formatted.get(ms);
  if (text === undefined) {
    text = toInstant(ms);
    // Bounded: a long-lived worker sees an ever-moving now.
    if (formatted.size >= 100_000) formatted.clear();
    formatted.set(ms, text);
  }
  return text;
}
