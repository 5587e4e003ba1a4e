import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronwrap, sandbox, scriptFile } from '../helpers/cronwrap.js';
import { footer, parseLog } from '../helpers/records.js';

describe('exit status is the command\'s', () => {
  it.each([0, 1, 3, 255])('exit %i', async (code) => {
    const box = sandbox();
    const result = await cronwrap(['--name', 'job', '-c', `exit ${code}`], box);
    expect(result.exitCode).toBe(code);
    expect(footer(parseLog(box.logOf('job')))).toMatchObject({ exit: String(code) });
  });

  it.each([
    ['KILL', 137],
    ['TERM', 143],
    ['SEGV', 139],
  ])('killed by SIG%s gives %i and the footer names the signal', async (signal, code) => {
    const box = sandbox();
    const result = await cronwrap(['--name', 'job', '-c', `kill -${signal} $$`], box);
    expect(result.exitCode).toBe(code);
    expect(footer(parseLog(box.logOf('job')))).toMatchObject({ exit: String(code), signal: `SIG${signal}` });
  });

  it('command not found gives 127', async () => {
    const box = sandbox();
    const result = await cronwrap(['--name', 'job', '--', 'no-such-command-here'], box);
    expect(result.exitCode).toBe(127);
    expect(result.stdout.toString()).toMatch(/status: +command not found/);
  });

  it('a file that is not executable gives 126', async () => {
    const box = sandbox();
    const script = scriptFile(box, '#!/bin/sh\necho hi\n', 0o644);
    const result = await cronwrap(['--name', 'job', '--', script], box);
    expect(result.exitCode).toBe(126);
    expect(result.stdout.toString()).toMatch(/not executable/);
  });

  it.each([
    [['--bogus', '--', 'true'], /unknown option '--bogus'/],
    [['--drain', 'later', '--', 'true'], /--drain: 'later' is not a duration/],
    [['--timestamp', 'nope', '--', 'true'], /--timestamp: unknown style 'nope'/],
  ])('a usage error %j gives 125, names the option, and runs nothing', async (args, message) => {
    const box = sandbox();
    const marker = join(box.dir, 'ran');
    const result = await cronwrap([...args.slice(0, -1), 'touch', marker], box);
    expect(result.exitCode).toBe(125);
    expect(result.stderr.toString()).toMatch(message);
    expect(result.stderr.toString()).toMatch(/^cronwrap: /);
    const { existsSync } = await import('node:fs');
    expect(existsSync(marker)).toBe(false);
  });
});
