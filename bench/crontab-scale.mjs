// node bench/crontab-scale.mjs (after npm run build): what a big user crontab costs root's `jobs --json`,
// `check --json` and `status --json` (as root, with the crontab bound over the host's spool): wall and CPU
// seconds and peak RSS, for crontabs of 1 MB in the shapes issue 23 measured. Prints figures; asserts
// nothing (test/integration/hostile-crontabs.test.ts holds the bounds).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const cronwrap = resolve(import.meta.dirname, '..', 'bin', 'cronwrap');
const work = mkdtempSync(join(tmpdir(), 'cronwrap-crontab-scale-'));
/** A line padded with a comment to 100 bytes, so each shape is 1,000,000 bytes. */
const pad = (line) => `${line} #${'x'.repeat(Math.max(0, 97 - line.length))}\n`;
const shapes = {
  '5,000 variables between 5,000 entries': () => Array.from({ length: 5000 }, (_, i) => pad(`VAR_${i}=value_${i}`) + pad(`* * * * * cronwrap --name job-${i} -- true`)).join(''),
  'one line 10,000 times': () => pad('* * * * * /usr/bin/backup --all').repeat(10_000),
  '10,000 different schedules and jobs': () =>
    Array.from({ length: 10_000 }, (_, i) => pad(`${i % 60} ${Math.floor(i / 60) % 24} ${1 + (Math.floor(i / 1440) % 28)} * * cronwrap --name d-${i} -- true`)).join(''),
};
const canBind = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v unshare']).status === 0;

console.log('command'.padEnd(16), 'shape'.padEnd(40), 'wall s'.padStart(7), 'cpu s'.padStart(7), 'peak MB'.padStart(8), ' exit');
for (const [shape, make] of Object.entries(shapes)) {
  const root = join(work, 'root');
  const spool = join(root, 'var', 'spool', 'cron', 'crontabs');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(spool, { recursive: true });
  for (const args of [['jobs', '--json'], ['check', '--json'], ['status', '--json']]) {
    const status = args[0] === 'status';
    if (status && !canBind) continue;
    // Written just before: no start has passed unrun yet, so check only reads (no 10,000 MISSED alerts).
    writeFileSync(join(spool, 'mallory'), make());
    const bind = status ? ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$0" /var/spool/cron/crontabs && exec "$@"', spool] : [];
    const command = [...bind, '/usr/bin/time', '-f', '%e %U %S %M', cronwrap, ...args, ...(status ? [] : ['--root', root])];
    const env = { ...process.env, CRONWRAP_STATE_DIR: join(work, 'state'), CRONWRAP_CONFIG: '/dev/null' };
    const result = spawnSync(command[0], command.slice(1), { env, maxBuffer: 1e9, timeout: 600_000 });
    const [wall, user, system, kb] = String(result.stderr).trim().split('\n').at(-1).split(' ').map(Number);
    console.log(args.join(' ').padEnd(16), shape.padEnd(40), wall.toFixed(2).padStart(7), (user + system).toFixed(2).padStart(7), (kb / 1024).toFixed(0).padStart(8), ` ${result.status}`);
  }
}
rmSync(work, { recursive: true, force: true });
