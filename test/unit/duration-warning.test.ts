import { describe, expect, it } from 'vitest';
import { durationWarning } from '../../src/run/duration-check.js';

const MIN = 60_000;
const usual = [48, 50, 52, 50, 49].map((m) => m * MIN);

describe('duration warnings', () => {
  it.each([
    [15 * MIN, usual, undefined],
    [9 * MIN, usual, 'ran 9m00s, under a fifth of its usual 50m00s (the median of its last 5 successful runs)'],
    [251 * MIN, usual, 'ran 4h11m, over five times its usual 50m00s (the median of its last 5 successful runs)'],
    [1 * MIN, usual.slice(0, 4), undefined], // four runs: no usual yet
  ])('%i ms against the usual runs', (duration, recent, expected) => {
    expect(durationWarning(duration, recent, undefined)).toBe(expected);
  });

  it('--expect-duration overrides the usual', () => {
    expect(durationWarning(15 * MIN, usual, { minMs: 20 * MIN })).toBe('ran 15m00s, less than the 20m00s expected (--expect-duration)');
    expect(durationWarning(3 * 3600_000, [], { maxMs: 2 * 3600_000 })).toBe('ran 3h00m, more than the 2h00m expected (--expect-duration)');
    expect(durationWarning(9 * MIN, usual, { maxMs: 2 * 3600_000 })).toBeUndefined();
  });
});
