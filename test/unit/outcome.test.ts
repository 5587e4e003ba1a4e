import { describe, expect, it } from 'vitest';
import { describeOutcome, exitCodeOf, spawnFailure, type Outcome } from '../../src/process/outcome.js';
import { parseDuration } from '../../src/config/value-types.js';
import { TailLines } from '../../src/output/excerpt.js';
import { defaultLogPath, stateDirectory } from '../../src/state/paths.js';
import { formatDuration } from '../../src/util/format.js';

describe('exit status', () => {
  it.each<[Outcome, number, RegExp]>([
    [{ kind: 'exited', code: 0 }, 0, /succeeded/],
    [{ kind: 'exited', code: 3 }, 3, /failed with exit status 3/],
    [{ kind: 'killed', signal: 'SIGKILL' }, 137, /killed by signal SIGKILL \(9, killed\)/],
    [{ kind: 'killed', signal: 'SIGSEGV' }, 139, /SIGSEGV \(11, segmentation fault\)/],
    [{ kind: 'not-found', reason: 'ENOENT' }, 127, /command not found/],
    [{ kind: 'not-executable', reason: 'EACCES' }, 126, /not executable/],
    [{ kind: 'spawn-failed', reason: 'EAGAIN' }, 125, /could not start/],
    [{ kind: 'interrupted', signal: 'SIGTERM', command: { kind: 'exited', code: 0 } }, 143, /cronwrap got SIGTERM; the command succeeded/],
  ])('%j exits %i', (outcome, code, words) => {
    expect(exitCodeOf(outcome)).toBe(code);
    expect(describeOutcome(outcome)).toMatch(words);
  });

  it.each([
    ['ENOENT', 'not-found'],
    ['ENOTDIR', 'not-found'],
    ['EACCES', 'not-executable'],
    ['ENOEXEC', 'not-executable'],
    ['EAGAIN', 'spawn-failed'],
  ])('maps spawn error %s to %s', (code, kind) => {
    expect(spawnFailure(Object.assign(new Error(code), { code })).kind).toBe(kind);
  });
});

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1.5', 1500],
  ])('%s is %i ms', (text, ms) => expect(parseDuration('--drain', text)).toBe(ms));

  it.each([
    [850, '850ms'],
    [1234, '1.234s'],
    [42_000, '42.0s'],
    [245_000, '4m05s'],
    [7_380_000, '2h03m'],
  ])('%i ms reads %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('TailLines', () => {
  it('keeps the last N records across batches, cutting very long ones', () => {
    const tail = new TailLines(3, 10);
    tail.add(Buffer.from('a\nb\nc\nd\n'));
    tail.add(Buffer.from('e\n'));
    tail.add(Buffer.from(`${'x'.repeat(25)}\n`));
    expect(tail.lines()).toEqual(['d', 'e', `${'x'.repeat(10)} [cut]`]);
  });

  it('holds fewer lines when fewer went by', () => {
    const tail = new TailLines(20);
    tail.add(Buffer.from('only\n'));
    expect(tail.lines()).toEqual(['only']);
  });
});

describe('paths', () => {
  it('puts state and logs where an operator looks for them', () => {
    expect(stateDirectory(undefined, {}, 0)).toBe('/var/lib/cronwrap');
    expect(stateDirectory(undefined, { XDG_STATE_HOME: '/x' }, 1000)).toBe('/x/cronwrap');
    expect(stateDirectory(undefined, { HOME: '/home/u' }, 1000)).toBe('/home/u/.local/state/cronwrap');
    expect(stateDirectory('/s', { XDG_STATE_HOME: '/x' }, 0)).toBe('/s');
    expect(defaultLogPath('backup', undefined, '/s', 0)).toBe('/var/log/cronwrap/backup.log');
    expect(defaultLogPath('backup', undefined, '/s', 1000)).toBe('/s/logs/backup.log');
    expect(defaultLogPath('backup', '/l', '/s', 0)).toBe('/l/backup.log');
  });
});
