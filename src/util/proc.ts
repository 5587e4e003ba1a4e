import { readFileSync } from 'node:fs';

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
