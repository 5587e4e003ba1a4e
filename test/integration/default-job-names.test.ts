import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronwrap, historyOf, sandbox, type Sandbox } from '../helpers/cronwrap.js';

// Issue 23, item 4: without --name a job is named after the program that does the work, past `cd`, guards,
// variable assignments and wrappers (env, nice, timeout, flock...), the same way by a run, by `jobs` and by
// `jobs --wrap`.

/** A cron tree under the sandbox whose /etc/cron.d/glue holds `lines`. */
function cronTree(box: Sandbox, lines: readonly string[]): string {
  const root = join(box.dir, 'root');
  mkdirSync(join(root, 'etc', 'cron.d'), { recursive: true });
  writeFileSync(join(root, 'etc', 'cron.d', 'glue'), `${lines.join('\n')}\n`);
  return root;
}

/** A shell script at `path` running `body`. */
function executable(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

describe('default job names', () => {
  it('a run is named after the program doing the work: past cd, env, nice and timeout', async () => {
    const box = sandbox();
    const dir = join(box.dir, 'bin');
    mkdirSync(dir);
    executable(join(dir, 'tidy'), 'echo tidied');
    executable(join(dir, 'report'), 'echo "FOO=$FOO"');

    expect((await cronwrap(['-c', `cd ${dir} && ./tidy`], box)).exitCode).toBe(0);
    expect((await cronwrap(['--', 'env', 'FOO=1', join(dir, 'report')], box)).exitCode).toBe(0);
    expect((await cronwrap(['--', 'nice', '-n', '5', 'timeout', '1m', join(dir, 'report')], box)).exitCode).toBe(0);

    expect(historyOf(box.stateDir, 'tidy')).toHaveLength(1);
    expect(historyOf(box.stateDir, 'report')).toHaveLength(2);
    expect(box.logOf('report').toString()).toContain('FOO=1');
    for (const wrapper of ['cd', 'env', 'nice']) expect(existsSync(join(box.stateDir, 'history', `${wrapper}.jsonl`))).toBe(false);
  });

  it('jobs names a wrapped line without --name as its run does, and finds that run', async () => {
    const box = sandbox();
    const dir = join(box.dir, 'srv');
    mkdirSync(dir);
    executable(join(dir, 'tidy'), 'true');
    expect((await cronwrap(['-c', `cd ${dir} && ./tidy`], box)).exitCode).toBe(0);
    const root = cronTree(box, [`*/5 * * * * root /usr/bin/cronwrap -c 'cd ${dir} && ./tidy'`]);
    const listed = await cronwrap(['jobs', '--root', root, '--json'], box);
    expect(JSON.parse(listed.stdout.toString())).toMatchObject({ jobs: [{ cronwrap: 'tidy', last_result: 'ok' }] });
  });

  it('jobs --wrap names guarded and wrapped lines after their program, not test, test-2', async () => {
    const box = sandbox();
    const root = cronTree(box, [
      '0 1 * * * root [ -x /usr/local/bin/rotate ] && /usr/local/bin/rotate',
      '0 2 * * * root test -x /usr/local/bin/rotate && /usr/local/bin/rotate --full',
      '0 3 * * * root cd /srv && flock -n /tmp/sync.lock ./sync-orders',
      '0 4 * * * root command -v debian-sa1 > /dev/null && debian-sa1 1 1',
      '0 5 * * * root sudo -u www-data php /var/www/nextcloud/cron.php',
    ]);
    const diff = await cronwrap(['jobs', '--wrap', '--root', root], box);
    const names = [...diff.stdout.toString().matchAll(/^\+.* --name (\S+) -c /gm)].map((match) => match[1]);
    expect(names).toEqual(['rotate', 'rotate-2', 'sync-orders', 'debian-sa1', 'cron.php']);
  });
});
