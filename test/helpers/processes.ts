import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { constants } from 'node:os';
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

/** Whether `signal` is set in a signal mask of /proc/PID/status (SigCgt: caught; ShdPnd: sent, not yet taken); a process gone has none. */
function inMask(pid: number, mask: 'SigCgt' | 'ShdPnd', signal: NodeJS.Signals): boolean {
  let status = '';
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    // gone
  }
  const hex = new RegExp(`^${mask}:\\s*([0-9a-f]+)$`, 'm').exec(status)?.[1] ?? '0';
  return ((BigInt(`0x${hex}`) >> BigInt(constants.signals[signal] - 1)) & 1n) === 1n;
}

/**
 * The process has taken every `signal` sent to it so far: its handler ran. A second one sent now is a second
 * signal, never merged with the first into one (the kernel keeps one pending signal of a kind, not a count).
 */
export function signalTaken(pid: number, signal: NodeJS.Signals): boolean {
  return !inMask(pid, 'ShdPnd', signal);
}

/** The process has set up its handling of `signal` and now sleeps, waiting (for a timer, I/O or that signal). */
export function handlesAndWaits(pid: number, signal: NodeJS.Signals): boolean {
  return inMask(pid, 'SigCgt', signal) && readProcStat(pid)?.state === 'S';
}
