import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Replaces a file atomically (a temp file beside it, then rename): a reader sees the old or the new, whole. */
export function replaceFile(path: string, content: string, mode: number, dirMode = 0o700): void {
  mkdirSync(dirname(path), { recursive: true, mode: dirMode });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode });
  renameSync(temp, path);
}
