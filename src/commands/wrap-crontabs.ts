import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cronwrapUse } from '../config/cronwrap-use.js';
import type { CronEntry } from '../cron/crontab.js';
import { shippedAsIs } from '../cron/dpkg-conffiles.js';
import { readCronTree, runsRunParts } from '../cron/sources.js';
import { errorCode } from '../errors.js';
import { replaceFile } from '../state/atomic-file.js';
import { shellQuote } from '../util/format.js';
import { commandJobName } from '../util/command-job-name.js';
import { UnsafePathError } from '../util/trust.js';
import { readCrontabFile } from './crontab-file.js';

/** One crontab file's rewrite: its lines that change, the ones left alone and why, or why the file is refused. */
export interface FileRewrite {
  file: string;
  /** The user of a per-user crontab (installed through crontab(1)); undefined for a system crontab. */
  owner: string | undefined;
  changes: { line: number; before: string; after: string }[];
  leftAlone: { line: number; reason: string }[];
  /** Why the file is not rewritten at all: cron ignores it (a line it rejects, its owner or mode: fix that first), or a file or link root must not write. */
  refused?: string;
}

/** Why a line is left as it is, or undefined when it can run under cronwrap -c as written. */
function leaveAlone(command: string): string | undefined {
  // An unescaped % ends cron's command (the rest is its stdin): inside -c '...' it would split the quotes.
  if (/(?<!\\)%/.test(command)) return "it has a % (cron's stdin): wrap it by hand";
  if (runsRunParts(command)) return "the system's own plumbing (run-parts, anacron): wrap the scripts it runs instead";
  return undefined;
}

/** A name for the job no other job on the host has: that of the program doing the work, then -2, -3... */
function freshName(command: string, taken: Set<string>): string {
  const base = commandJobName({ shell: command });
  let name: string = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return name;
}

/**
 * Plans to run every unwrapped crontab line under cronwrap (`<cronwrap> --name <name> -c '<command>'`,
 * the schedule and user as written), file by file. `only` limits it to those files (as `jobs` shows them);
 * without it, files a package shipped and nobody changed are left out. `subcommands`: the words of cronwrap's own commands.
 */
export function planWrap(root: string, cronwrap: string, only: readonly string[], subcommands: readonly string[]): FileRewrite[] {
  const tree = readCronTree(root);
  const shipped = shippedAsIs(root);
  const ignored = new Map(tree.ignored.map((file) => [file.file, file.reason]));
  const all = [...tree.entries, ...tree.ignored.flatMap((file) => file.entries)];
  const taken = new Set(all.flatMap((entry) => {
    const use = cronwrapUse(entry.command, subcommands);
    return use && 'job' in use ? [use.job] : [];
  }));
  const byFile = new Map<string, CronEntry[]>();
  for (const entry of all) {
    if (entry.file === '/etc/anacrontab' || (only.length > 0 && !only.includes(entry.file))) continue;
    // A package's file as it shipped it is the package's to change (dpkg would ask at its next upgrade): left out unless named.
    if (only.length === 0 && shipped(entry.file)) continue;
    byFile.set(entry.file, [...(byFile.get(entry.file) ?? []), entry]);
  }
  return [...byFile].flatMap(([file, entries]) => {
    const unwrapped = entries.filter((entry) => !cronwrapUse(entry.command, subcommands));
    if (unwrapped.length === 0) return [];
    const owner = file.startsWith('/var/spool/cron/') ? entries[0]!.user : undefined;
    let lines: string[];
    try {
      lines = readCrontabFile(root, file, owner !== undefined).text.split('\n');
    } catch (error) {
      // Gone or unreadable since the tree was read: said, like a file root must not write.
      return [{ file, owner, changes: [], leftAlone: [], refused: error instanceof UnsafePathError ? error.message : `cannot read it: ${errorCode(error)}` }];
    }
    const passedOver = ignored.get(file);
    if (passedOver) return [{ file, owner, changes: [], leftAlone: [], refused: `cron ignores the whole file (${passedOver}): fix that first` }];
    const rewrite: FileRewrite = { file, owner, changes: [], leftAlone: [] };
    for (const entry of unwrapped) {
      const reason = leaveAlone(entry.command) ?? (shipped(file) ? 'a package shipped this file as it is: leave it to the package' : undefined);
      if (reason) {
        rewrite.leftAlone.push({ line: entry.line, reason });
        continue;
      }
      const before = lines[entry.line - 1]!;
      const prefix = before.slice(0, before.trimEnd().length - entry.command.length);
      const after = `${prefix}${shellQuote(cronwrap)} --name ${freshName(entry.command, taken)} -c ${shellQuote(entry.command)}`;
      rewrite.changes.push({ line: entry.line, before, after });
    }
    return [rewrite];
  });
}

/** The rewrites as the lines of a unified diff, one hunk per changed line. */
export function diffOf(rewrites: readonly FileRewrite[]): string[] {
  return rewrites
    .filter((rewrite) => rewrite.changes.length > 0)
    .flatMap((rewrite) => [`--- ${rewrite.file}`, `+++ ${rewrite.file}`, ...rewrite.changes.flatMap((c) => [`@@ -${c.line} +${c.line} @@`, `-${c.before}`, `+${c.after}`])]);
}

/** The file's text with the rewrite's lines changed; throws if one of them changed since it was planned. */
function rewritten(text: string, rewrite: FileRewrite): string {
  const lines = text.split('\n');
  for (const change of rewrite.changes) {
    if (lines[change.line - 1] !== change.before) throw new Error(`line ${change.line} changed meanwhile: run cronwrap jobs --wrap again`);
    lines[change.line - 1] = change.after;
  }
  return lines.join('\n');
}

/**
 * Writes one rewrite after keeping the old file in `backupDir` (0600; not beside it, where cron or
 * `cronwrap jobs` would read it): a per-user crontab on the host through `crontab -u USER -`, so cron
 * reloads it; any other file atomically (a temp file renamed over it), with its mode and owner, which
 * for a system crontab are root's (crontab-file.ts): a link to it stays a link. Returns where the backup is.
 */
export function applyRewrite(root: string, rewrite: FileRewrite, backupDir: string, now: number): string {
  const { path, text, stats } = readCrontabFile(root, rewrite.file, rewrite.owner !== undefined);
  const next = rewritten(text, rewrite);
  const backup = join(backupDir, `${rewrite.file.replace(/^\//, '').replace(/\//g, '_')}.${now}`);
  replaceFile(backup, text, 0o600);
  if (rewrite.owner && root === '/') {
    const installed = spawnSync('crontab', ['-u', rewrite.owner, '-'], { input: next, encoding: 'utf8' });
    if (installed.error || installed.status !== 0) throw new Error(`crontab -u ${rewrite.owner} refused it: ${installed.error ? errorCode(installed.error) : installed.stderr.trim()}`);
    return backup;
  }
  replaceFile(path, next, stats.mode & 0o7777, 0o755, { uid: stats.uid, gid: stats.gid });
  return backup;
}
