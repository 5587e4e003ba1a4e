import type { ProcessInfo } from '../util/proc.js';

/** `1234 sleep, 1240 sh` for footers and reports. */
export function describeProcesses(processes: readonly ProcessInfo[]): string {
  return processes.map((p) => `${p.pid} ${p.name}`).join(', ');
}
