import { basename } from 'node:path';
import { CONDITION_KEYWORDS, LEADING_KEYWORDS, SETUP_BUILTINS, SETUP_PROGRAMS, wrapperOf, type Wrapper } from './command-wrappers.js';
import { programJobName, type JobName } from './job-name.js';
import { simpleCommands } from './shell-words.js';

/** A command as cronwrap runs it: a shell command line (`-c`), or the words of one (after `--`). */
export type JobCommand = { shell: string } | { argv: readonly string[] };

/** Shell lines inside shell lines (`sh -c "su -c '...'"`) are looked into this deep, no deeper: a crontab sets no cost. */
const MAX_NESTING = 4;

const isAssignment = (word: string) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(word);

/**
 * The default job name: that of the program that does the work, through the wrappers before it
 * (`nice -n 10`, `timeout 5m`, `flock -n /tmp/l`, `sudo -u www-data`, `env FOO=1`, `sh -c`, an
 * interpreter's script) and past the steps that only prepare or guard it (`cd /srv &&`,
 * `[ -x /usr/bin/x ] &&`, `command -v x >/dev/null &&`). Every place a default name is made uses this one.
 */
export function commandJobName(command: JobCommand): JobName {
  const work = 'shell' in command ? workOfLine(command.shell, 0) : workOfWords(command.argv, 0, 0, false);
  return programJobName(work ?? 'job');
}

/** The word naming the work of a shell command line: its first simple command that is no setup, guard or condition. */
function workOfLine(line: string, nesting: number): string | undefined {
  if (nesting > MAX_NESTING) return undefined;
  let inCondition = false;
  let first: string[] | undefined;
  for (const words of simpleCommands(line)) {
    let start = 0;
    for (; start < words.length && LEADING_KEYWORDS.has(words[start]!); start++) {
      if (CONDITION_KEYWORDS.has(words[start]!)) inCondition = true;
      if (words[start] === 'then' || words[start] === 'do') inCondition = false;
    }
    const rest = words.slice(start);
    if (rest.length === 0) continue;
    first ??= rest;
    if (!inCondition && !isSetup(rest)) return workOfWords(rest, 0, nesting, true);
  }
  return first && workOfWords(first, 0, nesting, true);
}

/**
 * Whether a simple command only prepares or guards the job: `cd`, `test`, `command -v x`, `FOO=1`, or an
 * interpreter's inline code (`perl -e 'sleep int(rand(43200))' && certbot -q renew`).
 */
export function isSetup(words: readonly string[]): boolean {
  const at = words.findIndex((word) => !isAssignment(word));
  if (at === -1) return true;
  const program = basename(words[at]!);
  const option = words[at + 1] ?? '';
  return SETUP_BUILTINS.has(words[at]!) || SETUP_PROGRAMS.has(program) || (program === 'command' && /^-[vV]$/.test(option)) || (wrapperOf(program)?.inline?.includes(option) ?? false);
}

/**
 * The word naming the work of a command's words from `start`: its program, or, when that is a wrapper,
 * what the wrapper runs. `assignments`: a shell's simple command, where `FOO=1` before the program is no program.
 */
function workOfWords(words: readonly string[], start: number, nesting: number, assignments: boolean): string | undefined {
  let at = start;
  if (assignments) while (at < words.length && isAssignment(words[at]!)) at++;
  for (;;) {
    const program = words[at];
    if (program === undefined) return undefined;
    const wrapper = wrapperOf(basename(program));
    if (!wrapper) return program;
    const wrapped = unwrap(words, at, wrapper, nesting);
    if (wrapped === undefined) return program;
    if (typeof wrapped === 'string') return wrapped;
    at = wrapped;
  }
}

/**
 * Where the command the wrapper program at `words[at]` runs starts (`sudo -u www-data X`, `nice -n 10 X`), or
 * its script (`node X.cjs`); undefined when it is no wrapper or runs a shell line or nothing it names.
 */
export function wrappedCommandAt(words: readonly string[], at: number): number | undefined {
  const wrapper = wrapperOf(basename(words[at] ?? ''));
  // Past the nesting limit, a shell line given to the wrapper is not looked into.
  const wrapped = wrapper && unwrap(words, at, wrapper, MAX_NESTING + 1);
  if (typeof wrapped === 'number') return wrapped;
  const script = typeof wrapped === 'string' ? words.indexOf(wrapped, at + 1) : -1;
  return script === -1 ? undefined : script;
}

/**
 * What the wrapper at `at` runs: the index of the command it runs, the word naming the work (a script, a
 * module, the work of a shell line it is given), or undefined when it runs nothing it names (the wrapper is the work).
 */
function unwrap(words: readonly string[], at: number, wrapper: Wrapper, nesting: number): number | string | undefined {
  let operands = wrapper.operands ?? 0;
  let options = true;
  for (let i = at + 1; i < words.length; i++) {
    const word = words[i]!;
    const isOption = options && (word.startsWith('-') || (wrapper.shell === true && word.startsWith('+')));
    if (isOption) {
      const line = shellStringOf(wrapper, word, words[i + 1]);
      if (line !== undefined) return workOfLine(line, nesting + 1);
      if (wrapper.inline?.includes(word)) return undefined;
      if (wrapper.names?.includes(word)) return words[i + 1];
      if (word === '--') options = false;
      else if (takesNextWord(wrapper, word)) i++;
      continue;
    }
    if (wrapper.assignments && isAssignment(word)) continue;
    if (operands > 0) {
      operands--;
      continue;
    }
    return wrapper.script ? word : i;
  }
  return undefined;
}

/** Whether an option's value is the next word: `-u USER`, or a cluster ending in such an option (`sudo -iu USER`; `-n10` holds its own). */
function takesNextWord(wrapper: Wrapper, word: string): boolean {
  const valued = wrapper.valued ?? [];
  if (valued.includes(word)) return true;
  if (word.startsWith('--') || !word.startsWith('-')) return false;
  const at = [...word.slice(1)].findIndex((letter) => valued.includes(`-${letter}`));
  return at === word.length - 2;
}

/** The shell line an option gives (`-c LINE`, `--command=LINE`, a shell's `-lc LINE`), if it is such an option. */
function shellStringOf(wrapper: Wrapper, word: string, next: string | undefined): string | undefined {
  for (const option of wrapper.shellString ?? []) {
    if (word === option) return next;
    if (option.startsWith('--') && word.startsWith(`${option}=`)) return word.slice(option.length + 1);
  }
  return wrapper.shell && /^-[A-Za-z]*c[A-Za-z]*$/.test(word) ? next : undefined;
}
