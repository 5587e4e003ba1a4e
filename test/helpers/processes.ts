import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { isGone, readProcStat } from '../../src/util/proc.js';
import { sleep } from '../../src/util/sleep.js';

export { sleep };

/** True while the process runs (a zombie, dead but not yet reaped by its new parent, does not count). */
export function alive(pid: number): boolean {
  return !isGone(readProcStat(pid));
}

/** The live processes of a process group, as `pgrep -g` sees them (zombies left out). */
export function groupMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      const stat = readProcStat(entry);
      return stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z';
    })
    .map(Number);
}

export function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Waits until `file` holds a pid, as written by a fixture announcing itself. */
export async function waitForPid(file: string): Promise<number> {
  for (let i = 0; i < 400; i++) {
    try {
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid > 0) return pid;
    } catch {
      // not yet written
    }
    await sleep(25);
  }
  throw new Error(`no pid in ${file}`);
}

/** The TCP ports `pid` listens on, from its socket descriptors and /proc/net/tcp{,6}. */
export function listeningPorts(pid: number): number[] {
  const sockets = new Set(
    readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? [];
      } catch {
        return []; // closed meanwhile
      }
    }),
  );
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) =>
    readFileSync(table, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      // local address, state 0A (LISTEN), inode
      .filter((fields) => fields[3] === '0A' && sockets.has(fields[9] ?? ''))
      .map((fields) => parseInt(fields[1]!.split(':')[1]!, 16)),
  );
}
