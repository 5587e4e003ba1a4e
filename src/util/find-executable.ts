import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Whether this process may execute `path`. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where `name` is found on `env.PATH` (as execvp would look), or undefined. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv): string | undefined {
  return (env.PATH ?? '/usr/bin:/bin')
    .split(delimiter)
    .map((dir) => join(dir, name))
    .find(isExecutable);
}
