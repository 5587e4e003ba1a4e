// The entry bin/cronwrap loads: runs dist/cronwrap.cjs with the V8 code cache the build made for it,
// which saves ~10 ms of compiling on every start (README, "Performance"). If the cache is missing or
// made by another Node version, V8 rejects it and simply compiles, as a plain require would.
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

type Entry = { cli: () => void; main: (argv: string[], io: unknown) => Promise<number>; processIo: () => unknown };

/** Loads the bundle at `file` through vm.Script with `cachedData`; returns the script and its exports. */
export function loadWithCache(file: string, cachedData: Buffer | undefined): { script: Script; exports: Entry } {
  const script = new Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, ...(cachedData ? { cachedData } : {}) });
  const wrapper = script.runInThisContext() as (exports: object, require: NodeRequire, module: object, filename: string, dirname: string) => void;
  const module = { exports: {} as Entry };
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return { script, exports: module.exports };
}

export const BUNDLE = join(__dirname, 'cronwrap.cjs');
export const CODE_CACHE = join(__dirname, 'cronwrap.cache');

/** What bin/cronwrap calls. */
export function start(): void {
  let cache: Buffer | undefined;
  try {
    cache = readFileSync(CODE_CACHE);
  } catch {
    cache = undefined; // no cache: compile as usual
  }
  loadWithCache(BUNDLE, cache).exports.cli();
}
