import { readdirSync } from 'node:fs';
import { isGone, readProcStat } from '../util/proc.js';

/** A process still alive in the job's process group after the command exited. */
export interface ProcessInfo {
  pid: number;
  name: string;
}

/**
 * Lists the processes whose process group (or, when the group is not empty, session) is `leader` (the command ran as the leader of its
 * own session and group, so everything it started and did not move away shows up here). Reads /proc.
 */
export function processesInGroup(leader: number): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  // The usual case, an empty group, costs one kill(2) instead of reading all of /proc (~7 ms).
  try {
    process.kill(-leader, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return found;
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
    const stat = readProcStat(pid);
    if (!stat || isGone(stat)) continue; // ended while we looked, or a zombie its parent will reap
    if (stat.pgrp === leader || stat.session === leader) found.push({ pid, name: stat.name });
  }
  return found;
}

/** `1234 sleep, 1240 sh` for footers and reports. */
export function describeProcesses(processes: readonly ProcessInfo[]): string {
  return processes.map((p) => `${p.pid} ${p.name}`).join(', ');
}
