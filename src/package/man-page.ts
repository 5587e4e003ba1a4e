// cronwrap(1), generated from the option table and the subcommands' own --help, so it cannot drift from
// what cronwrap accepts. Built by scripts/package-deb.mjs; never part of a run.
import { configKey, OPTIONS, type AnyOption } from '../config/options.js';
import { runnableSubcommands } from '../commands/index.js';
import { parseArgs, topLevelHelpText } from '../cli/parse-args.js';

/** Text as troff reads it: backslashes escaped, a leading dot or quote made literal, hyphens as minus signs. */
export function troff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');
}

/** A block printed as it is (commander's help is already laid out in 80 columns). */
function verbatim(text: string): string {
  return `.nf\n${troff(text.trimEnd())}\n.fi`;
}

/** `--timeout <duration>` as `\fB\-\-timeout\fR \fIduration\fR`. */
function flagsText(flags: string): string {
  return flags
    .split(/,\s*/)
    .map((flag) => {
      const [name, value] = flag.split(/\s+/, 2);
      return `\\fB${troff(name!)}\\fR${value ? ` \\fI${troff(value.replace(/^<|>$/g, ''))}\\fR` : ''}`;
    })
    .join(', ');
}

function optionEntry(spec: AnyOption, tag: string): string {
  const key = configKey(spec);
  const where = [spec.flags && spec.env ? `Environment: \\fB${spec.env}\\fR.` : '', key && !spec.secret ? `Config key: \\fB${key}\\fR.` : ''].filter(Boolean).join(' ');
  return `.TP\n${tag}\n${troff(spec.help)}.${where ? `\n${where}` : ''}`;
}

function helpOf(argv: string[]): string {
  const invocation = parseArgs(argv, false);
  return invocation.mode === 'print' ? invocation.stdout : '';
}

/** The page, dated `date` (YYYY-MM-DD) for `version`. */
export function manPage(version: string, date: string): string {
  const withFlag = OPTIONS.filter((spec) => spec.flags);
  const envOnly = OPTIONS.filter((spec) => !spec.flags && spec.env);
  const subcommands = runnableSubcommands().map(({ name }) => name.split(' '));
  return [
    `.TH CRONWRAP 1 "${date}" "cronwrap ${version}" "User Commands"`,
    '.SH NAME',
    'cronwrap \\- run cron jobs with timestamped logs, their exit status kept, and alerts when they fail',
    '.SH SYNOPSIS',
    '.B cronwrap',
    '[\\fIoptions\\fR] \\fB\\-\\-\\fR \\fIcommand\\fR [\\fIargs\\fR...]',
    '.br',
    '\\fIcommand\\fR 2>&1 | \\fBcronwrap\\fR [\\fIoptions\\fR]',
    '.br',
    '.B cronwrap',
    '\\fIsubcommand\\fR [\\fIoptions\\fR]',
    '.SH DESCRIPTION',
    'cronwrap runs a command, prefixes every line of its output with a timestamp, appends it to a log, keeps',
    "the command's exit status as its own, and tells people when the command fails: cron's mail, e-mail,",
    'PagerDuty, webhooks and health-check pings, by a policy. Around it: time limits that stop the whole',
    'process group, locks, run history, metrics for Prometheus, self-healing, and a live view.',
    verbatim(topLevelHelpText()),
    '.SH OPTIONS',
    ...withFlag.map((spec) => optionEntry(spec, flagsText(spec.flags!))),
    '.TP\n\\fB\\-V\\fR, \\fB\\-\\-version\\fR\nshow the version and how this cronwrap was built.',
    '.TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nshow the help.',
    '.SH ENVIRONMENT',
    'Every option above with an environment twin reads it when the flag is not given. These are read from the environment (or the config file) only:',
    ...envOnly.map((spec) => optionEntry(spec, `\\fB${spec.env!}\\fR`)),
    '.SH SUBCOMMANDS',
    ...subcommands.map((argv) => `.SS ${argv.join(' ')}\n${verbatim(helpOf([...argv, '--help']))}`),
    '.SH FILES',
    '.TP\n.I /etc/cronwrap/cronwrap.toml\nsettings for every run: the top level, and a [jobs.\\fIname\\fR] section per job (\\fBcronwrap config check\\fR).',
    '.TP\n.I /var/log/cronwrap/\njobs\' logs when run as root (\\fIjob\\fR.log); rotated by /etc/logrotate.d/cronwrap.',
    '.TP\n.I /var/lib/cronwrap/\nrun history, alert state, kept alerts, locks and pauses when run as root.',
    '.SH EXIT STATUS',
    "The command's; 128+\\fIN\\fR when it was killed by signal \\fIN\\fR; 124 when \\fB\\-\\-timeout\\fR or \\fB\\-\\-idle\\-timeout\\fR fired;",
    "127 command not found; 126 not executable; 125 cronwrap's own usage or start-up error.",
    '.SH SEE ALSO',
    '.BR crontab (5),',
    '.BR cron (8),',
    '.BR logrotate (8)',
    '',
  ].join('\n');
}
