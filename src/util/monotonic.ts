/**
 * Milliseconds on the monotonic clock. process.hrtime rather than `performance.now()`, whose first use
 * loads perf_hooks (~1.5 ms of every start).
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * The process's start on the monotonic clock: Node takes it before it loads anything, so spans counted
 * from it include cronwrap's own start-up, as `ts -s` counts from the start of the pipeline.
 */
export function processStartMs(): number {
  return monotonicMs() - process.uptime() * 1000;
}

/** A wall-clock time with microseconds and the monotonic time it was true at. */
export interface WallAnchor {
  wallMs: number;
  monoMs: number;
}

/**
 * Date.now() has milliseconds only; Node read the wall clock with microseconds once, at start
 * (performance.timeOrigin, through gettimeofday, so faketime moves it too), and counts from there on the
 * monotonic clock. Used only by formats that show microseconds: `performance` costs ~1.5 ms to load.
 */
export function preciseWallAnchor(): WallAnchor {
  const monoMs = monotonicMs();
  return { wallMs: performance.timeOrigin + performance.now(), monoMs };
}
