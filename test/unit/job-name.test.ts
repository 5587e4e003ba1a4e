import { describe, expect, it } from 'vitest';
import { commandJobName } from '../../src/util/command-job-name.js';
import { isJobName } from '../../src/util/job-name.js';
import { simpleCommands } from '../../src/util/shell-words.js';

// Issue 23, item 4: a job is named after the program that does the work, not the wrapper or guard before
// it. The lines are real crontab commands: Debian's own (/etc/crontab, cron.d of sysstat, php, mdadm,
// certbot, e2fsprogs, anacron, popularity-contest, zfsutils) and what operators write around their jobs.
describe('the default job name of a shell command line (-c, jobs --wrap)', () => {
  it.each([
    // Names that were right stay as they were.
    ['/usr/local/bin/backup.sh --full', 'backup.sh'],
    ['/opt/sync --all | tee x', 'sync'],
    ['pg_dump app | gzip > /backup/app.sql.gz', 'pg_dump'],
    ['"/root/.acme.sh"/acme.sh --cron --home "/root/.acme.sh" > /dev/null', 'acme.sh'],
    ['wget -q -O - https://example.com/cron.php > /dev/null 2>&1', 'wget'],
    ['borgmatic --verbosity -1 --syslog-verbosity 1', 'borgmatic'],
    // cd and guards before && or ;
    ['cd /srv && ./x', 'x'],
    ['cd /var/www/html; ./bin/cleanup >/dev/null 2>&1', 'cleanup'],
    // A builtin's name is a program of that name when called by a path.
    ['cd /srv && ./export --all', 'export'],
    ['/opt/tools/source --sync', 'source'],
    ['cd / && run-parts --report /etc/cron.hourly', 'run-parts'],
    ['test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; }', 'run-parts'],
    ['test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.weekly )', 'run-parts'],
    ['[ -x /usr/bin/x ] && x', 'x'],
    ['test -x x && x', 'x'],
    ['/usr/bin/test -x /usr/local/bin/x && /usr/local/bin/x --quiet', 'x'],
    ['command -v debian-sa1 > /dev/null && debian-sa1 1 1', 'debian-sa1'],
    ['[ -x /usr/lib/php/sessionclean ] && if [ ! -d /run/systemd/system ]; then /usr/lib/php/sessionclean; fi', 'sessionclean'],
    ['if [ -x /usr/share/mdadm/checkarray ] && [ $(date +%d) -le 7 ]; then /usr/share/mdadm/checkarray --cron --all --idle --quiet; fi', 'checkarray'],
    ['if [ $(date +%w) -eq 0 ] && [ -x /usr/lib/zfs-linux/scrub ]; then /usr/lib/zfs-linux/scrub; fi', 'scrub'],
    ['[ -x /etc/init.d/anacron ] && if [ ! -d /run/systemd/system ]; then /usr/sbin/invoke-rc.d anacron start >/dev/null; fi', 'invoke-rc.d'],
    ['test -x /etc/cron.daily/popularity-contest && /etc/cron.daily/popularity-contest --crond', 'popularity-contest'],
    ['test -e /run/systemd/system || SERVICE_MODE=1 /usr/lib/x86_64-linux-gnu/e2fsprogs/e2scrub_all_cron', 'e2scrub_all_cron'],
    ["test -x /usr/bin/certbot -a \\! -d /run/systemd/system && perl -e 'sleep int(rand(43200))' && certbot -q renew", 'certbot'],
    ['sleep $((RANDOM % 300)); /usr/bin/certbot renew -q', 'certbot'],
    ['pgrep -x mydaemon >/dev/null || /usr/sbin/mydaemon', 'mydaemon'],
    ['export PATH=/opt/bin:$PATH; . /etc/profile; umask 027; mkdir -p /backup/$(date +%F) && tar czf /backup/x.tgz /srv', 'tar'],
    ['while pgrep -x rsync; do sleep 10; done; /usr/local/bin/mirror', 'mirror'],
    // Variable assignments before the program
    ['FOO=1 BAR="a b" /opt/x/report --daily', 'report'],
    ['env FOO=1 x', 'x'],
    ['/usr/bin/env -i PATH=/usr/bin:/bin HOME=/root /usr/local/sbin/rotate-keys', 'rotate-keys'],
    // Wrappers with options and arguments of their own
    ['nice -n 10 /usr/local/bin/backup.sh', 'backup.sh'],
    ['nice -19 ionice -c3 /usr/bin/updatedb', 'updatedb'],
    ['/usr/bin/nice -n19 /usr/bin/ionice -c 2 -n 7 /usr/local/bin/reindex', 'reindex'],
    ['flock -n /tmp/sync.lock /usr/local/bin/sync-orders', 'sync-orders'],
    ["/usr/bin/flock -w 0 /var/lock/rotate.lock -c 'cd /srv && ./rotate'", 'rotate'],
    ['flock -xn /run/lock/feeds.lock timeout -k 30 5m /usr/local/bin/fetch-feeds', 'fetch-feeds'],
    ['timeout --signal=KILL 2h /usr/local/bin/long-report', 'long-report'],
    ['sudo -u www-data php /var/www/nextcloud/cron.php', 'cron.php'],
    ['sudo -iu postgres pg_dumpall -f /backup/all.sql', 'pg_dumpall'],
    ['sudo -u deploy -- /srv/app/bin/deploy-check', 'deploy-check'],
    ['chronic /usr/local/bin/check-raid', 'check-raid'],
    ['chronic -e run-one /usr/local/bin/mirror', 'mirror'],
    ['nohup /opt/x/start.sh > /dev/null 2>&1 &', 'start.sh'],
    ['setsid -f /opt/x/daemon', 'daemon'],
    ['systemd-cat -t backup -p info /usr/local/bin/backup.sh', 'backup.sh'],
    ['stdbuf -oL /usr/local/bin/stream-report', 'stream-report'],
    ["su - postgres -c \"pg_dump -Fc app > /backup/app.dump\"", 'pg_dump'],
    // Shells and interpreters: the script or command line they are given
    ["sh -c 'cd /srv && exec ./worker'", 'worker'],
    ['bash -lc "source ~/.profile; /opt/app/bin/nightly"', 'nightly'],
    ["/bin/bash -o pipefail -c 'pg_dump app | gzip > /b/app.gz'", 'pg_dump'],
    ['/bin/bash /opt/scripts/cleanup.sh', 'cleanup.sh'],
    ['cd /var/www/html && php artisan schedule:run >> /dev/null 2>&1', 'artisan'],
    ['php -f /var/www/nextcloud/cron.php', 'cron.php'],
    ['php8.2 -d memory_limit=1G /var/www/app/bin/console cache:clear', 'console'],
    ['/usr/bin/env python3 /opt/app/manage.py clearsessions', 'manage.py'],
    ['python3 -m borgmatic.commands.borgmatic', 'borgmatic.commands.borgmatic'],
    ['node --max-old-space-size=4096 -r dotenv/config /srv/app/jobs/digest.js', 'digest.js'],
    // Nothing else to name it after: the program itself
    ["python3 -c 'import app; app.main()'", 'python3'],
    ['cd /srv', 'cd'],
    ['sleep 60', 'sleep'],
    ['nice', 'nice'],
    ['', 'job'],
  ])('%s → %s', (line, name) => {
    expect(commandJobName({ shell: line })).toBe(name);
  });
});

describe('the default job name of a command given as words (after --)', () => {
  it.each([
    [['/usr/local/bin/backup.sh', '--full'], 'backup.sh'],
    [['env', 'FOO=1', 'x'], 'x'],
    [['nice', '-n', '10', 'ionice', '-c3', '/usr/local/bin/backup.sh'], 'backup.sh'],
    [['timeout', '5m', 'flock', '-n', '/tmp/l', 'rsync', '-a', 'src', 'dst'], 'rsync'],
    [['/bin/sh', '-c', 'cd /srv && ./x'], 'x'],
    [['sudo', '-u', 'www-data', 'php', 'artisan', 'schedule:run'], 'artisan'],
    // exec runs words, not a shell line: `FOO=1` would be the program's name.
    [['FOO=1', 'x'], 'FOO_1'],
    [['./my script'], 'my_script'],
    [['.hidden'], 'hidden'],
  ])('%j → %s', (argv, name) => {
    expect(commandJobName({ argv })).toBe(name);
  });
});

describe('a default job name is always a valid one, and costs little whatever the line', () => {
  it.each([
    'sh -c "'.repeat(5000),
    'nice '.repeat(20000) + 'x',
    `${'$('.repeat(10000)}x`,
    `"${'a'.repeat(200_000)}"`,
    "\u001b[2J; rm -rf / ; '",
    '../../../../etc/passwd',
    '-rf',
  ])('%#', (line) => {
    const started = performance.now();
    const name = commandJobName({ shell: line });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(isJobName(name)).toBe(true);
  });
});

describe('simpleCommands', () => {
  it.each([
    ['a b | c && d; e & f', [['a', 'b'], ['c'], ['d'], ['e'], ['f']]],
    ["x 'a b' \"c \\\"d\\\"\" e\\ f", [['x', 'a b', 'c "d"', 'e f']]],
    ['x >/dev/null 2>&1 < in &>> all y', [['x', 'y']]],
    ['a2>x b', [['a2', 'b']]],
    ['x $(date +%F) `hostname` ${HOME}/y # a comment', [['x', '$(date +%F)', '`hostname`', '${HOME}/y']]],
    ['(cd / && run-parts x)', [['cd', '/'], ['run-parts', 'x']]],
  ])('%s', (line, commands) => {
    expect([...simpleCommands(line)]).toEqual(commands);
  });
});
