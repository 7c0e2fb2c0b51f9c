/**
 * Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`.
 * Only for outcomes written by another process or worker into Redis (an effect's settlement,
 * a checkout's state after its chain), where no event reaches the test; everything a loopback
 * provider sees is awaited through its own promises instead.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  { timeoutMs = 10_000, intervalMs = 25 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await check();
    if (last !== undefined) return last;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
