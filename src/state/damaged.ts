import { renameSync } from 'node:fs';
import { basename } from 'node:path';
import { errorCode } from '../errors.js';

/**
 * Moves a damaged state file aside as `<name>.damaged-<time>` (no reader picks that name up again, and a
 * person can still look at it) and returns the sentence that reports it, once. `now`: wall-clock ms (io.now).
 */
export function moveAside(path: string, why: string, now: number): string {
  const aside = `${path}.damaged-${new Date(now).toISOString().replace(/[:.]/g, '')}`;
  try {
    renameSync(path, aside);
    return `${path} is damaged (${why}); moved aside to ${basename(aside)}`;
  } catch (error) {
    return `${path} is damaged (${why}) and could not be moved aside: ${errorCode(error)}`;
  }
}
