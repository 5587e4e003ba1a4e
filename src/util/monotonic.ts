/**
 * Milliseconds on the monotonic clock. process.hrtime rather than `performance.now()`, whose first use
 * loads perf_hooks (~1.5 ms of every start).
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
