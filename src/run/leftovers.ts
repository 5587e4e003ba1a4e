import { readdirSync, readFileSync } from 'node:fs';

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
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue; // it ended while we looked
    }
    // `pid (name) state ppid pgrp session ...`; the name may hold spaces and parentheses, so cut at the last ')'.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    const state = fields[0];
    if (state === 'Z' || state === 'X') continue; // a zombie holds nothing and is reaped by its parent
    if (Number(fields[2]) === leader || Number(fields[3]) === leader) {
      found.push({ pid, name: stat.slice(stat.indexOf('(') + 1, close) });
    }
  }
  return found;
}

/** `1234 sleep, 1240 sh` for footers and reports. */
export function describeProcesses(processes: readonly ProcessInfo[]): string {
  return processes.map((p) => `${p.pid} ${p.name}`).join(', ');
}
