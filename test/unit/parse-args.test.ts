import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { invocationOf as run } from '../helpers/invocation.js';

describe('parseArgs', () => {
  it('takes the command after -- verbatim, including its own options', () => {
    expect(run(['--name', 'backup', '--', 'backup.sh', '--full', '-v'])).toMatchObject({
      mode: 'wrap',
      command: ['backup.sh', '--full', '-v'],
      settings: { name: 'backup' },
    });
  });

  it('treats options after the command as the command\'s own, even without --', () => {
    expect(run(['ls', '-l', '--json'])).toMatchObject({ mode: 'wrap', command: ['ls', '-l', '--json'], settings: { json: false } });
  });

  it('runs a shell string through /bin/sh -c', () => {
    expect(run(['-c', 'echo a | tr a b'])).toMatchObject({ mode: 'wrap', command: ['/bin/sh', '-c', 'echo a | tr a b'] });
  });

  it('filters stdin when there is no command and stdin is not a terminal', () => {
    expect(run(['--timestamp', 'utc']).mode).toBe('filter');
  });

  it('prints usage and exits 125 with no command on a terminal', () => {
    expect(run([], {}, true)).toMatchObject({ mode: 'print', exitCode: 125, stderr: expect.stringMatching(/nothing to run[\s\S]*Usage: cronwrap/) });
  });

  it('has the documented defaults', () => {
    expect(run(['true'])).toMatchObject({
      settings: { timestamp: 'iso', json: false, drainMs: 5000, killAfterMs: 10_000, quiet: false, tee: false },
    });
  });

  it('jobs: the admin\'s jobs by default; --all, --unwrapped and --user NAME', () => {
    expect(run(['jobs'])).toMatchObject({ mode: 'jobs', all: false, unwrapped: false, user: undefined });
    expect(run(['jobs', '--all', '--unwrapped', '--user', 'www-data', '--json'])).toMatchObject({ mode: 'jobs', all: true, unwrapped: true, user: 'www-data', json: true });
  });

  it('reads an option from its CRONWRAP_* twin, and the flag wins over it', () => {
    const env = { CRONWRAP_DRAIN: '2s', CRONWRAP_JSON: '1', CRONWRAP_TIMESTAMP: 'epoch' };
    expect(run(['true'], env)).toMatchObject({ settings: { drainMs: 2000, json: true, timestamp: 'epoch' } });
    expect(run(['--drain', '250ms', '-t', 'utc', '--', 'true'], env)).toMatchObject({ settings: { drainMs: 250, timestamp: 'utc' } });
  });

  it('--no-page-warnings turns warnings off PagerDuty; without it they page (CRONWRAP_PAGE_WARNINGS=0 as well)', () => {
    expect(run(['--no-page-warnings', '--warn-exit', '3,4', 'true'])).toMatchObject({ settings: { pageWarnings: false, warnExit: [3, 4] } });
    expect(run(['true'])).toMatchObject({ settings: { pageWarnings: true, warnExit: [], okExit: [] } });
    expect(run(['true'], { CRONWRAP_PAGE_WARNINGS: '0' })).toMatchObject({ settings: { pageWarnings: false } });
  });

  it.each([
    [['--warn-exit', '0', 'true'], /--warn-exit: '0' is not a list of exit statuses from 1 to 255/],
    [['--heal-budget', '0', 'true'], /--heal-budget: '0' is not a whole number from 1 to 1000/],
    [['--drain', 'soon', 'true'], /--drain: 'soon' is not a duration; use .*90s/],
    [['--kill-after', '5x', 'true'], /--kill-after: '5x' is not a duration/],
    [['--name', 'my job', 'true'], /--name: 'my job' cannot be a job name/],
    [['--name', '../etc', 'true'], /--name: '..\/etc' cannot be a job name/],
    [['-t', 'iso8601', 'true'], /--timestamp: unknown style 'iso8601'/],
    [['-c', 'echo', 'extra'], /--shell: give either a shell string with -c or a command/],
    [['jobs', '--wrap', '--user', 'root'], /jobs: --user chooses what the list shows; --wrap takes files instead/],
    [['jobs', '--wrap', '--unwrapped'], /jobs: --unwrapped chooses what the list shows/],
  ])('rejects %j naming the option and the fix', (argv, message) => {
    expect(() => run(argv)).toThrow(UsageError);
    expect(() => run(argv)).toThrow(message);
  });

  it('names a bad environment twin, and falls back rather than stopping the job', () => {
    expect(run(['true'], { CRONWRAP_QUIET: 'maybe' })).toMatchObject({
      settings: { quiet: false },
      configErrors: [expect.stringMatching(/CRONWRAP_QUIET: 'maybe' is not a yes\/no value/)],
    });
  });

  it('answers an unknown flag with exit 125 and a pointer to --help', () => {
    expect(run(['--bogus', 'true'])).toMatchObject({ mode: 'print', exitCode: 125, stderr: "cronwrap: unknown option '--bogus' (see cronwrap --help)\n" });
  });

  it('prints --help and --version on stdout with exit 0', () => {
    const help = run(['--help']);
    expect(help).toMatchObject({ mode: 'print', exitCode: 0 });
    for (const flag of ['--name', '--shell', '--log', '--log-dir', '--state-dir', '--timestamp', '--json', '--drain', '--kill-after', '--quiet', '--tee']) {
      expect(help.mode === 'print' && help.stdout).toContain(flag);
    }
    expect(run(['--version'])).toMatchObject({ mode: 'print', exitCode: 0, stdout: expect.stringMatching(/^cronwrap \d+\.\d+\.\d+ \(from source, run by Node v[\d.]+ at \S+\)\n$/) });
  });
});

describe('cronwrap serve --listen', () => {
  it.each<[string, { host: string; port: number }]>([
    ['127.0.0.1:8089', { host: '127.0.0.1', port: 8089 }],
    ['9000', { host: '127.0.0.1', port: 9000 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['[::1]:8089', { host: '::1', port: 8089 }],
    ['monitor.example.com:443', { host: 'monitor.example.com', port: 443 }],
  ])('reads %s', (value, listen) => {
    expect(run(['serve', '--listen', value])).toMatchObject({ mode: 'serve', listen });
  });

  it('listens on 127.0.0.1:8089 unless told otherwise', () => {
    expect(run(['serve'])).toMatchObject({ mode: 'serve', listen: { host: '127.0.0.1', port: 8089 }, root: '/', tlsCert: undefined });
  });

  it.each(['localhost', '127.0.0.1:65536', ':8089', '::1:8089', '127.0.0.1:80 ', 'http://127.0.0.1:80'])('refuses %j, naming the option and a form that works', (value) => {
    expect(() => run(['serve', '--listen', value])).toThrow(UsageError);
    expect(() => run(['serve', '--listen', value])).toThrow(/--listen: .* is not HOST:PORT; give e\.g\. 127\.0\.0\.1:8089/);
  });

  it('lists serve in --help', () => {
    const help = run(['--help']);
    expect(help.mode === 'print' && help.stdout).toContain('cronwrap serve [--listen 127.0.0.1:8089]');
  });
});
