/**
 * A run id: 12 hex digits from Math.random (seeded by the OS). It only has to tell runs of a job apart,
 * and not loading node:crypto saves ~3 ms on every start.
 */
export function newRunId(): string {
  const high = Math.floor(Math.random() * 0x1000000);
  const low = Math.floor(Math.random() * 0x1000000);
  return high.toString(16).padStart(6, '0') + low.toString(16).padStart(6, '0');
}
