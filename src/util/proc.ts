import { readdirSync, readFileSync } from 'node:fs';
import { errorCode } from '../errors.js';

/** The fields of /proc/<pid>/stat that cronwrap reads. */
export interface ProcStat {
  name: string;
  /** R, S, D, Z (zombie), X (dead), T (stopped)... */
  state: string;
  pgrp: number;
  session: number;
  /** Start time in clock ticks since boot: with the pid, it names a process even after pid reuse. */
  started: string;
}

/**
 * Reads /proc/<pid>/stat, or undefined when the process is gone. The line is `pid (name) state ppid pgrp
 * session ...`; the name may hold spaces and parentheses, so it is cut at the last ')'.
 */
export function readProcStat(pid: number | string): ProcStat | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return {
    name: stat.slice(stat.indexOf('(') + 1, close),
    state: fields[0] ?? '',
    pgrp: Number(fields[2]),
    session: Number(fields[3]),
    started: fields[19] ?? '',
  };
}

/** A zombie (or dead) process holds nothing and is reaped by its parent. */
export function isGone(stat: ProcStat | undefined): boolean {
  return stat === undefined || stat.state === 'Z' || stat.state === 'X';
}

/** A live process, by pid and name. */
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
    if (errorCode(error) === 'ESRCH') return found;
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
