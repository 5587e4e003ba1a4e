import { linkSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorCode } from '../errors.js';
import { makeDirs } from '../util/make-dirs.js';
import { monotonicMs } from '../util/monotonic.js';
import { processesInGroup, readProcStat } from '../util/proc.js';
import { newRunId } from '../util/run-id.js';

/** Who holds a lock: a pid and that process's start time, so a reused pid is not taken for the holder. */
interface Holder {
  pid: number;
  started: string;
  /** The process group of the job the holder runs: the lock lives as long as it does. */
  group: number | undefined;
}

function readHolder(path: string): { holder: Holder | undefined; inode: number } | undefined {
  try {
    const inode = statSync(path).ino;
    const [pid, started, group] = readFileSync(path, 'utf8').trim().split(' ');
    return { holder: pid && started ? { pid: Number(pid), started, group: group ? Number(group) : undefined } : undefined, inode };
  } catch {
    return undefined; // gone: try again
  }
}

/** The holder still runs, or its job does (a SIGKILLed cronwrap leaves its job running in its own group). */
function isAlive(holder: Holder | undefined): boolean {
  if (!holder) return false;
  if (readProcStat(holder.pid)?.started === holder.started) return true;
  // Zombies do not count (nobody may reap them); the kernel never gives a new process the id of a live group.
  return holder.group !== undefined && holder.group > 1 && processesInGroup(holder.group).length > 0;
}

export interface HeldLock {
  /** Ties the lock to the job's process group too, so it outlives a cronwrap killed while the job runs. */
  holdFor(group: number): void;
  release(): void;
}

/**
 * A lock file in the (private, 0700) state directory, created atomically with link(2), holding the
 * owner's pid and process start time. A lock whose owner is no longer running (a crashed or SIGKILLed
 * cronwrap) is taken over: it is renamed aside, checked to be the same file that was found stale (so a
 * lock taken meanwhile by a third process is put back), and removed.
 */
export function tryLock(dir: string, name: string): HeldLock | undefined {
  makeDirs(dir, 0o700);
  const path = join(dir, `${name}.lock`);
  const unique = `${process.pid}.${newRunId()}`;
  const mine = join(dir, `.${name}.${unique}`);
  const self = `${process.pid} ${readProcStat(process.pid)?.started ?? '0'}`;
  let me = `${self}\n`;
  writeFileSync(mine, me, { mode: 0o600, flag: 'wx' });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(mine, path);
        return {
          holdFor: (group) => {
            // A new content, put in place whole (rename) and only over a lock that is still ours.
            const next = `${self} ${group}\n`;
            const temp = join(dir, `.${name}.${unique}.group`);
            try {
              if (readFileSync(path, 'utf8') !== me) return;
              writeFileSync(temp, next, { mode: 0o600, flag: 'wx' });
              renameSync(temp, path);
              me = next;
            } catch {
              rmSync(temp, { force: true });
            }
          },
          release: () => {
            // Remove the lock only if it is still ours; if it is gone already, so much the better.
            try {
              if (readFileSync(path, 'utf8') === me) unlinkSync(path);
            } catch {
              return;
            }
          },
        };
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
      }
      const found = readHolder(path);
      if (!found) continue;
      if (isAlive(found.holder)) return undefined;
      const aside = join(dir, `.${name}.stale.${unique}`);
      try {
        renameSync(path, aside);
      } catch {
        continue; // someone else moved it first
      }
      if (statSync(aside).ino === found.inode) unlinkSync(aside);
      else {
        // We moved a lock that another run took in the meantime: give it back.
        try {
          linkSync(aside, path);
        } finally {
          unlinkSync(aside);
        }
      }
    }
    return undefined;
  } finally {
    unlinkSync(mine);
  }
}

/** Tries the lock until `waitMs` has passed (0: once), polling; stops early when `sleep` says it was cut short. */
export async function waitForLock(
  dir: string,
  name: string,
  waitMs: number,
  sleep: (ms: number) => Promise<boolean>,
): Promise<HeldLock | undefined> {
  const deadline = monotonicMs() + waitMs;
  for (;;) {
    const lock = tryLock(dir, name);
    if (lock) return lock;
    const left = deadline - monotonicMs();
    if (left <= 0 || (await sleep(Math.min(200, left)))) return undefined;
  }
}
