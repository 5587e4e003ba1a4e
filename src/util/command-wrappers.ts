// The programs a crontab line puts before or around the one that does the work, and how each takes its
// options: what `commandJobName` (command-job-name.ts) looks through to name a job after that program.

/** How a program that runs another one (`nice -n 10 x`, `flock -n /tmp/l x`, `python3 x.py`) reads its words. */
export interface Wrapper {
  /** Options that take the next word as their value (`sudo -u USER`). */
  valued?: readonly string[];
  /** Words before the command that are not options: timeout's duration, flock's lock file, su's user. */
  operands?: number;
  /** Options whose value is a shell command line (`flock -c CMD`, `su -c CMD`, `env -S CMD`). */
  shellString?: readonly string[];
  /** A shell: `-c` may come in a cluster (`bash -lc CMD`), and `+o` is an option too. */
  shell?: boolean;
  /** Takes `NAME=value` words before the command (env, sudo). */
  assignments?: boolean;
  /** An interpreter: its first operand is the script that does the work, not a command to look into. */
  script?: boolean;
  /** Options whose value is the work (`python -m MODULE`, `php -f FILE`). */
  names?: readonly string[];
  /** Options that give the code inline (`python -c`, `perl -e`): no script names the work; the interpreter does. */
  inline?: readonly string[];
}

const SHELL: Wrapper = { valued: ['-o', '+o', '-O', '+O', '--rcfile', '--init-file'], shellString: ['-c'], shell: true, script: true };
const PLAIN: Wrapper = {};
const SU: Wrapper = { valued: ['-s', '--shell', '-g', '--group', '-G', '--supp-group', '-w', '--whitelist-environment'], operands: 1, shellString: ['-c', '--command'] };

const WRAPPERS = new Map<string, Wrapper>([
  ['env', { valued: ['-u', '--unset', '-C', '--chdir'], shellString: ['-S', '--split-string'], assignments: true }],
  ['nice', { valued: ['-n', '--adjustment'] }],
  ['ionice', { valued: ['-c', '--class', '-n', '--classdata', '-p', '--pid', '-P', '--pgid', '-u', '--uid'] }],
  ['flock', { valued: ['-w', '--wait', '--timeout', '-E', '--conflict-exit-code'], operands: 1, shellString: ['-c', '--command'] }],
  ['lckdo', { valued: ['-w'], operands: 1 }],
  ['timeout', { valued: ['-s', '--signal', '-k', '--kill-after'], operands: 1 }],
  ['sudo', { valued: ['-u', '--user', '-g', '--group', '-C', '--close-from', '-D', '--chdir', '-h', '--host', '-p', '--prompt', '-r', '--role', '-t', '--type', '-T', '--command-timeout', '-U', '--other-user', '-R', '--chroot'], assignments: true }],
  ['doas', { valued: ['-u', '-C'] }],
  ['su', SU],
  ['systemd-cat', { valued: ['-t', '--identifier', '-p', '--priority', '--stderr-priority', '--level-prefix'] }],
  ['stdbuf', { valued: ['-i', '-o', '-e', '--input', '--output', '--error'] }],
  ['time', { valued: ['-f', '--format', '-o', '--output'] }],
  ['exec', { valued: ['-a'] }],
  ...['command', 'chronic', 'cronic', 'nohup', 'setsid', 'nocache'].map((name) => [name, PLAIN] as const),
  ...['run-one', 'run-this-one', 'keep-one-running', 'run-one-constantly', 'run-one-until-success', 'run-one-until-failure'].map((name) => [name, PLAIN] as const),
  ...['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh'].map((name) => [name, SHELL] as const),
  ['python', { valued: ['-W', '-X', '--check-hash-based-pycs'], names: ['-m'], inline: ['-c'], script: true }],
  ['perl', { inline: ['-e', '-E'], script: true }],
  ['php', { valued: ['-c', '-d', '-z'], names: ['-f', '--file'], inline: ['-r', '--run', '-R', '-B', '-E'], script: true }],
  ['ruby', { valued: ['-I', '-r', '-C', '-E'], inline: ['-e'], script: true }],
  ['node', { valued: ['-r', '--require', '--import', '--loader'], inline: ['-e', '--eval', '-p', '--print'], script: true }],
]);

/** The wrapper a program's base name is (`python3.11` is python's), if it is one. */
export function wrapperOf(program: string): Wrapper | undefined {
  const versioned = /^(python|perl|php|ruby|node)(?:js|[0-9.]+)$/.exec(program);
  return WRAPPERS.get(versioned ? versioned[1]! : program);
}

/**
 * Programs that only prepare or guard the job's (`[ -x /usr/bin/x ] &&`, `/usr/bin/test -x x &&`,
 * `sleep $((RANDOM % 60));`, `pgrep -x x ||`), by whatever path they are called.
 */
export const SETUP_PROGRAMS = new Set(['test', '[', 'true', 'false', 'sleep', 'which', 'pgrep', 'pidof', 'mkdir']);

/**
 * Shell builtins that only prepare the job (`cd /srv &&`, `export X=1;`), and the words that end a compound
 * command: only as a bare word (`./export` is a program of that name).
 */
export const SETUP_BUILTINS = new Set([
  'cd', 'pushd', 'popd', '[[', ':', 'export', 'unset', 'umask', 'set', 'ulimit', 'source', '.', 'type', 'hash',
  'exit', 'return', 'local', 'readonly', 'declare', 'typeset', 'shopt', 'trap', 'wait', 'fi', 'done', 'esac',
  '}', 'for', 'case', 'select',
]);

/** Reserved words that may begin a simple command without being its program (`then /usr/bin/x`). */
export const LEADING_KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{']);

/** Keywords that begin a condition, which runs up to the `then` or `do` after it: a guard, not the work. */
export const CONDITION_KEYWORDS = new Set(['if', 'elif', 'while', 'until']);
