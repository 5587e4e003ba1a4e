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

/** The longest preciseWallAnchor() waits for a tick it can place (a frozen clock never ticks). */
const TICK_WAIT_MS = 5;
/** A tick is placed only when seen this soon after the reading before it: no preemption fell between them. */
const TIGHT_MS = 0.05;

/**
 * Under this, a bracket of the wall clock held no preemption: a stamp judges a clock step only past a whole
 * millisecond, and Date.now() under faketime (which reads its clock file each call) takes tens of µs.
 */
const BRACKET_MS = 0.5;

/** The two clocks read together: `tight` when no preemption fell between the readings (a bracket under BRACKET_MS). */
export interface ClockReading {
  wallMs: number;
  monoMs: number;
  tight: boolean;
}

/**
 * The wall clock read between two readings of the monotonic clock: a process preempted between the two
 * clocks (two CPU hogs) would pair a wall time with a monotonic time milliseconds later, and the stamps'
 * microsecond clock would take that for a clock step. The bracket tells when it may judge.
 */
export function readClocks(wallNow: () => number, monoNow: () => number): ClockReading {
  const before = monoNow();
  const wallMs = wallNow();
  const monoMs = monoNow();
  return { wallMs, monoMs, tight: monoMs - before < BRACKET_MS };
}

/**
 * The wall clock (`wallNow`, io.now: Date.now()) has milliseconds only, but the moment it ticks over is a whole
 * millisecond: read then, beside the monotonic clock, it anchors microseconds that agree with it
 * (performance.timeOrigin did not: it was a few milliseconds off, so the first stamps were taken for a clock
 * step). A tick seen after the process was preempted is not placed (the anchor would be off by the preemption,
 * and the first stamps corrected to a bare millisecond): it waits for the next one. Waits at most TICK_WAIT_MS,
 * once, and only for formats that show microseconds. Date.now() follows faketime.
 */
export function preciseWallAnchor(wallNow: () => number, monoNow: () => number = monotonicMs): WallAnchor {
  let last = wallNow();
  let readAt = monoNow();
  const giveUp = readAt + TICK_WAIT_MS;
  for (;;) {
    const wallMs = wallNow();
    const monoMs = monoNow();
    if ((wallMs !== last && monoMs - readAt < TIGHT_MS) || monoMs >= giveUp) return { wallMs, monoMs };
    last = wallMs;
    readAt = monoMs;
  }
}
