import { closeSync, fstatSync, writeSync } from 'node:fs';
import { errorCode } from '../errors.js';

const STDIO = [0, 1, 2] as const;

/** True when `fd` is a terminal that has been hung up: even an empty write answers EIO. */
function isHungUp(fd: number): boolean {
  try {
    writeSync(fd, new Uint8Array(0));
    return false;
  } catch (error) {
    return errorCode(error) === 'EIO';
  }
}

/** The device number of `fd` when it is a character device (a terminal, /dev/null), else undefined. */
function characterDevice(fd: number): number | undefined {
  try {
    const stat = fstatSync(fd);
    return stat.isCharacterDevice() ? stat.rdev : undefined;
  } catch {
    return undefined; // closed
  }
}

/**
 * Closes stdin/stdout/stderr where they are a terminal that was hung up (its window closed, its ssh
 * session dropped). At exit Node restores the terminal modes it saw at start and aborts with SIGABRT
 * when the terminal refuses (EIO), which would replace the job's exit status; Node skips a closed
 * descriptor. Call it last, once everything is written.
 */
export function releaseHungUpTerminal(): void {
  // isatty() answers false once the terminal is hung up, so look at character devices instead.
  const devices = STDIO.flatMap((fd) => {
    const device = characterDevice(fd);
    return device === undefined ? [] : [{ fd, device }];
  });
  // A read-only stdin cannot be probed with a write; it is the same terminal as a hung-up stdout.
  const hungUp = new Set(devices.filter(({ fd }) => isHungUp(fd)).map(({ device }) => device));
  for (const { fd, device } of devices) {
    if (hungUp.has(device)) closeSync(fd);
  }
}
