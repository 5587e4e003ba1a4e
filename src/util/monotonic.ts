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

/** The longest preciseWallAnchor() waits for the wall clock's next millisecond (a frozen clock never ticks). */
const TICK_WAIT_MS = 2;

/**
 * The wall clock (`wallNow`, io.now: Date.now()) has milliseconds only, but the moment it ticks over is a whole
 * millisecond: read then, beside the monotonic clock, it anchors microseconds that agree with it
 * (performance.timeOrigin did not: it was a few milliseconds off, so the first stamps were taken for a clock
 * step). Waits at most TICK_WAIT_MS, once, and only for formats that show microseconds. Date.now() follows faketime.
 */
export function preciseWallAnchor(wallNow: () => number): WallAnchor {
  const first = wallNow();
  let wallMs = first;
  let monoMs = monotonicMs();
  const giveUp = monoMs + TICK_WAIT_MS;
  while (wallMs === first && monoMs < giveUp) {
    wallMs = wallNow();
    monoMs = monotonicMs();
  }
  return { wallMs, monoMs };
}
