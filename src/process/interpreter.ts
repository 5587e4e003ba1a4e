import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { findExecutable } from '../util/find-executable.js';

/**
 * When exec says ENOENT for a command that exists, it is the script's `#!` interpreter that is missing:
 * returns that interpreter's path, else undefined.
 */
export function missingInterpreter(file: string, env: NodeJS.ProcessEnv): string | undefined {
  const path = file.includes('/') ? file : findExecutable(file, env);
  if (!path) return undefined;
  const head = Buffer.alloc(256);
  let bytes: number;
  try {
    const fd = openSync(path, 'r');
    try {
      bytes = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const line = head.subarray(0, bytes).toString('latin1');
  if (!line.startsWith('#!')) return undefined;
  const interpreter = line.slice(2).split('\n', 1)[0]!.trim().split(/\s+/, 1)[0];
  return interpreter && !existsSync(interpreter) ? interpreter : undefined;
}
