/**
 * The only place the service reads the time. Services ask the clock and pass `now` into the
 * domain; tests pass a clock they control.
 */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock tests move by hand. */
export function manualClock(
  startMs: number,
): Clock & { set(ms: number): void; advance(ms: number): void } {
  let current = startMs;
  return {
    nowMs: () => current,
    set: (ms) => {
      current = ms;
    },
    advance: (ms) => {
      current += ms;
    },
  };
}
