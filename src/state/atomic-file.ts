import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Replaces a file atomically (a temp file beside it, then rename): a reader sees the old or the new, whole. */
export function replaceFile(path: string, content: string, mode: number, dirMode = 0o700): void {
  mkdirSync(dirname(path), { recursive: true, mode: dirMode });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode });
  renameSync(temp, path);
}

/** A small JSON state file merged over `fallback`; the fallback when it is missing or unreadable. */
export function readJsonState<T extends object>(path: string, fallback: T): T {
  try {
    return { ...fallback, ...(JSON.parse(readFileSync(path, 'utf8')) as Partial<T>) };
  } catch {
    return { ...fallback };
  }
}
