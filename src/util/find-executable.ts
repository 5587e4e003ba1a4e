import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where `name` is found on `env.PATH` (as execvp would look), or undefined. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}
