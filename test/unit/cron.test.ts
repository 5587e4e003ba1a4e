import { describe, expect, it } from 'vitest';
import { parseCrontab, scheduleProblem } from '../../src/cron/crontab.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCronTree } from '../../src/cron/sources.js';
import { deadlineAfter, describeSchedule, missedStart, nextRuns, shortestInterval } from '../../src/cron/schedule.js';
import { scheduleFromCrontabs } from '../../src/config/job-schedule.js';
import { cronwrapUse } from '../../src/config/cronwrap-use.js';
import { SUBCOMMAND_NAMES } from '../../src/commands/index.js';

// The host's zone is UTC here; CRON_TZ cases name theirs. Monday 23 November 2026, 08:00 UTC.
process.env.TZ = 'UTC';
const NOW = new Date('2026-11-23T08:00:00Z');
const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

describe('schedules as cron reads them', () => {
  it.each([
    ['*/5 * * * *', 3, undefined, ['2026-11-23T08:05:00.000Z', '2026-11-23T08:10:00.000Z', '2026-11-23T08:15:00.000Z']],
    ['1 0 * * *', 2, undefined, ['2026-11-24T00:01:00.000Z', '2026-11-25T00:01:00.000Z']],
    // Day of month and day of week both restricted: either one (Vixie's OR rule), not both.
    ['0 0 1,15 * sun', 4, undefined, ['2026-11-29T00:00:00.000Z', '2026-12-01T00:00:00.000Z', '2026-12-06T00:00:00.000Z', '2026-12-13T00:00:00.000Z']],
    ['0 12 * * mon-fri', 2, undefined, ['2026-11-23T12:00:00.000Z', '2026-11-24T12:00:00.000Z']],
    ['30 2 1-10/3 jan,jul *', 2, undefined, ['2027-01-01T02:30:00.000Z', '2027-01-04T02:30:00.000Z']],
    ['0 0 * * 7', 1, undefined, ['2026-11-29T00:00:00.000Z']], // 7 is Sunday too
    ['@daily', 1, undefined, ['2026-11-24T00:00:00.000Z']],
    ['@hourly', 1, undefined, ['2026-11-23T09:00:00.000Z']],
    ['@monthly', 1, undefined, ['2026-12-01T00:00:00.000Z']],
    ['@reboot', 1, undefined, []],
    // CRON_TZ: 02:30 in Berlin is 01:30 UTC in winter.
    ['30 2 * * *', 1, 'Europe/Berlin', ['2026-11-24T01:30:00.000Z']],
  ] as const)('%s next %i (zone %s)', (schedule, count, zone, expected) => {
    expect(iso(nextRuns(schedule, NOW, count, zone))).toEqual(expected);
  });

  it('says the schedule in words and finds its shortest interval', () => {
    expect(describeSchedule('*/5 * * * *')).toBe('Every 5 minutes');
    expect(describeSchedule('1 0 * * *')).toBe('At 00:01');
    expect(describeSchedule('@reboot')).toBe('At every reboot');
    expect(shortestInterval('*/5 * * * *')).toBe(300_000);
    expect(shortestInterval('0 9,10 * * *')).toBe(3_600_000);
    expect(shortestInterval('@reboot')).toBeUndefined();
  });

  it.each([
    ['* * * * *', undefined],
    ['*/0 * * * *', "minute '*/0': a step of 0"],
    ['60 * * * *', "minute '60': 60 is out of range 0-59"],
    ['0 0 0 * *', "day of month '0': 0 is out of range 1-31"],
    ['0 0 * 13 *', "month '13': 13 is out of range 1-12"],
    ['0 0 * * 8', "day of week '8': 8 is out of range 0-7"],
    ['0 0 * * fri-mon', "day of week 'fri-mon': the range runs backwards"],
    ['0 0 L * *', "day of month 'L': 'L' is not a number"],
    ['0 0 * *', '4 time fields, not 5'],
    ['@fortnightly', 'unknown @fortnightly'],
    // Debian's cron takes a step after * or a range only, and a step past the range (it runs the range's start).
    ['5/10 * * * *', "minute '5/10': a step needs a range or * before it"],
    ['*/61 */25 */32 */13 */8', undefined],
    ['@ANNUALLY', undefined],
  ])('%s: %s', (schedule, problem) => {
    expect(scheduleProblem(schedule)).toBe(problem);
  });
});

// Issue 23, item 9: what cron takes, croner may refuse; a zone may be unknown. No schedule throws: it has
// no times (and is said as written) rather than stopping the other lines being read.
describe('a schedule croner cannot take as written', () => {
  it('a step past the end of its range runs the range start only, as cron does (croner refuses it)', () => {
    expect(iso(nextRuns('*/61 */25 * * *', NOW, 2))).toEqual(['2026-11-24T00:00:00.000Z', '2026-11-25T00:00:00.000Z']);
    expect(iso(nextRuns('0 0 */32 */13 *', NOW, 1))).toEqual(['2027-01-01T00:00:00.000Z']);
    expect(describeSchedule('*/61 * * * *')).toBe('Every hour');
    expect(shortestInterval('*/61 * * * *')).toBe(3_600_000);
    expect(missedStart('*/61 * * * *', NOW, undefined, 0)?.toISOString()).toBe('2026-11-23T07:00:00.000Z'); // 08:00's grace is not over
  });

  it('a zone this host does not know, or a schedule no cron takes (a damaged history), has no times and no deadline', () => {
    expect(nextRuns('* * * * *', NOW, 1, 'Nowhere/Bogus')).toEqual([]);
    expect(missedStart('* * * * *', NOW, undefined, 0, 'Nowhere/Bogus')).toBeUndefined();
    expect(deadlineAfter('* * * * *', NOW, 'Nowhere/Bogus')).toBeUndefined();
    expect(nextRuns('1 2 3', NOW, 1)).toEqual([]);
    expect(missedStart('61 * * * * *', NOW, undefined, 0)).toBeUndefined();
    expect(describeSchedule('@bogus')).toBe('@bogus');
  });

  it('a day that exists in none of its months never comes, found without a search through the centuries', () => {
    expect(nextRuns('0 0 31 2 *', NOW, 1)).toEqual([]);
    expect(nextRuns('0 0 30 2 *', NOW, 1, 'Europe/Berlin')).toEqual([]);
    expect(shortestInterval('0 0 31 4,6 *')).toBeUndefined();
  });

  it('a day field starting with * (even */2) makes cron require both day fields, not either', () => {
    expect(iso(nextRuns('0 0 */2 * mon', NOW, 3))).toEqual(['2026-12-07T00:00:00.000Z', '2026-12-21T00:00:00.000Z', '2027-01-11T00:00:00.000Z']);
    expect(shortestInterval('0 0 */2 * mon')).toBe(7 * 86_400_000);
  });

  it.each([
    ['*/7 * * * *', 4], // :56 to the next hour's :00
    ['0,59 0,23 * * *', 1], // 23:59 to 00:00
    ['0 0 1 * *', 28 * 1440], // February
    ['0 0 29 2 *', 1461 * 1440], // leap years
    ['30 2 1-10/3 jan,jul *', 3 * 1440],
    ['@hourly', 60],
  ])('%s: its shortest interval is %i minutes', (schedule, minutes) => {
    expect(shortestInterval(schedule)).toBe(minutes * 60_000);
  });
});

describe('the next run deadline', () => {
  it.each([
    ['*/5 * * * *', '2026-11-23T08:06:00.000Z'], // next start 08:05, a grace of a minute at least
    ['0 * * * *', '2026-11-23T09:06:00.000Z'], // a tenth of an hour
    ['1 0 * * *', '2026-11-24T00:31:00.000Z'], // a tenth of a day, but half an hour at most
  ])('%s: %s', (schedule, deadline) => {
    expect(deadlineAfter(schedule, NOW)?.toISOString()).toBe(deadline);
  });

  const at = (time: string) => new Date(`2026-11-23T${time}Z`);
  const ms = (time: string) => at(time).getTime();
  it.each([
    ['0 * * * *', '08:30:00', '08:00:01', undefined, 'it ran'],
    ['0 * * * *', '08:30:00', '07:59:30', undefined, 'it ran a little early (clocks)'],
    ['0 * * * *', '08:30:00', '07:00:00', '08:00:00', 'no run since 07:00'],
    ['0 * * * *', '08:03:00', '07:00:00', undefined, "08:00's grace (6 min) is not over"],
    ['1 0 * * *', '00:20:00', undefined, undefined, 'known only since 00:15'],
    ['*/5 * * * *', '08:30:00', '08:10:00', '08:25:00', 'every 5 minutes, grace 1 min'],
  ] as const)('%s at %s, last start %s: %s (%s)', (schedule, now, last, expected, _why) => {
    const known = schedule === '1 0 * * *' ? ms('00:15:00') : ms('00:00:00');
    expect(missedStart(schedule, at(now), last ? ms(last) : undefined, known)?.toISOString()).toBe(expected ? at(expected).toISOString() : undefined);
  });

  it('a daily job: missed once its grace is over, not before', () => {
    const yesterday = Date.parse('2026-11-22T00:01:00Z');
    expect(missedStart('1 0 * * *', at('00:20:00'), yesterday, 0)).toBeUndefined();
    expect(missedStart('1 0 * * *', at('00:40:00'), yesterday, 0)?.toISOString()).toBe('2026-11-23T00:01:00.000Z');
    expect(missedStart('1 0 * * *', at('00:40:00'), yesterday, 0, undefined, 60 * 60_000)).toBeUndefined(); // --grace 1h
    expect(missedStart('@reboot', at('00:40:00'), undefined, 0)).toBeUndefined();
  });

  it('has none for @reboot', () => {
    expect(deadlineAfter('@reboot', NOW)).toBeUndefined();
  });

  it('a job without --schedule takes the schedule of the crontab line that runs it, with its CRON_TZ', () => {
    const root = join(__dirname, '..', 'fixtures', 'cron-root');
    expect(scheduleFromCrontabs('mysql-backup', 'root', SUBCOMMAND_NAMES, root)).toEqual({ schedule: '1 0 * * *', timeZone: undefined, source: '/etc/cron.d/backup:3' });
    expect(scheduleFromCrontabs('report', 'alice', SUBCOMMAND_NAMES, root)).toEqual({ schedule: '30 2 * * *', timeZone: 'Europe/Berlin', source: '/var/spool/cron/crontabs/alice:3' });
    expect(scheduleFromCrontabs('nobody-runs-this', 'root', SUBCOMMAND_NAMES, root)).toBeUndefined();
    // Another user's line naming the job is not this run's: alice's report sets no deadline of root's.
    expect(scheduleFromCrontabs('report', 'root', SUBCOMMAND_NAMES, root)).toBeUndefined();
  });
});

describe('crontab files', () => {
  it('reads variables, both formats, @keywords and keeps the command as written; reports what cron rejects', () => {
    const text = 'MAILTO=ops\nCRON_TZ = "Europe/Paris"\n\n# comment\n  1 0 * * * root /bin/backup  --full\n@reboot root /bin/warm\n61 * * * * root /bin/x\n5 4 * * *\n';
    const { entries, problems } = parseCrontab(text, '/etc/cron.d/a', undefined);
    expect(entries).toEqual([
      { file: '/etc/cron.d/a', line: 5, user: 'root', schedule: '1 0 * * *', command: '/bin/backup  --full', env: { MAILTO: 'ops', CRON_TZ: 'Europe/Paris' } },
      { file: '/etc/cron.d/a', line: 6, user: 'root', schedule: '@reboot', command: '/bin/warm', env: { MAILTO: 'ops', CRON_TZ: 'Europe/Paris' } },
    ]);
    expect(problems.map((p) => `${p.line}: ${p.reason}`)).toEqual([
      "7: cron rejects this line: minute '61': 61 is out of range 0-59",
      '8: cron rejects this line: no user or command after the schedule',
    ]);
  });

  it('a CRON_TZ this host does not know: each line under it is read in the host\'s zone and told; the others as written', () => {
    const text = 'CRON_TZ=Nowhere/Bogus\n1 0 * * * a\n2 0 * * * b\nCRON_TZ=Europe/Paris\n3 0 * * * c\nCRON_TZ=\n4 0 * * * d\n';
    const { entries, problems } = parseCrontab(text, '/var/spool/cron/crontabs/mallory', 'mallory');
    expect(entries.map((e) => [e.command, e.env.CRON_TZ])).toEqual([['a', undefined], ['b', undefined], ['c', 'Europe/Paris'], ['d', '']]);
    expect(problems.map((p) => `${p.line}: ${p.reason}`)).toEqual([
      "2: CRON_TZ on line 1 names no time zone this host knows: the schedule is read in the host's zone",
      "3: CRON_TZ on line 1 names no time zone this host knows: the schedule is read in the host's zone",
    ]);
  });

  it('an entry holds the variables cron reads, shared with the entries around it: 5,000 variables cost no entry a copy', () => {
    let text = 'MAILTO=ops\nCRONWRAP_STATE_DIR=/srv/state\n';
    for (let i = 0; i < 5000; i++) text += `VAR_${i}=${i}\n* * * * * job-${i}\n`;
    const { entries } = parseCrontab(text, '/var/spool/cron/crontabs/mallory', 'mallory');
    expect(entries).toHaveLength(5000);
    expect(entries[4999]!.env).toEqual({ MAILTO: 'ops', CRONWRAP_STATE_DIR: '/srv/state' });
    expect(new Set(entries.map((e) => e.env)).size).toBe(1);
    // Nor do 5,000 made-up CRONWRAP_ names: past 64 they are reported, not kept.
    let names = '';
    for (let i = 0; i < 5000; i++) names += `CRONWRAP_X${i}=${i}\n* * * * * job-${i}\n`;
    const many = parseCrontab(names, '/var/spool/cron/crontabs/mallory', 'mallory');
    expect(Object.keys(many.entries[4999]!.env)).toHaveLength(64);
    expect(many.problems).toHaveLength(5000 - 64);
  });

  it('a user crontab has no user field; a last line without a newline makes cron pass over the whole file', () => {
    const { entries, problems } = parseCrontab('0 3 * * * /home/bob/a.sh\n0 4 * * * /home/bob/b.sh', '/var/spool/cron/crontabs/bob', 'bob');
    expect(entries.map((e) => [e.user, e.command])).toEqual([['bob', '/home/bob/a.sh']]);
    expect(problems).toEqual([{ file: '/var/spool/cron/crontabs/bob', line: 2, reason: 'no newline at the end of the file', ignoresFile: true }]);
  });
});

describe('which job a crontab command runs under cronwrap', () => {
  it.each([
    ['/usr/local/bin/cronwrap --name mysql-backup --timeout 2h -- /usr/local/bin/backup.sh', { job: 'mysql-backup' }],
    ['cronwrap --timeout=2h --name=nightly -- x', { job: 'nightly' }],
    ['/usr/local/bin/cronwrap --timeout 2h -- /usr/local/bin/backup.sh --full', { job: 'backup.sh' }],
    ["cronwrap -c '/opt/sync --all | tee x'", { job: 'sync' }],
    // Named after the program doing the work, as a run without --name is (util/command-job-name.ts).
    ["/usr/bin/cronwrap -c 'cd /srv && ./x'", { job: 'x' }],
    ['/usr/bin/cronwrap --timeout 1h -- env FOO=1 nice -n 10 /usr/local/bin/report --daily && echo done', { job: 'report' }],
    ["cd /srv && /usr/bin/cronwrap -- sh -c 'test -x ./x && ./x'", { job: 'x' }],
    ['/usr/local/bin/long-report 2>&1 | /usr/local/bin/cronwrap --quiet --log /var/log/r.log', { job: 'stdin' }],
    ['cronwrap status > /dev/null || echo failing', { subcommand: 'status' }],
    ['/opt/app/brett.sh restart', undefined],
    // cron ends the command at an unescaped %: the rest is the command's stdin.
    ['echo "a%b" | cronwrap --name after-percent', undefined],
    ['echo "a\\%b" | cronwrap --name after-escaped-percent', { job: 'after-escaped-percent' }],
    // cronwrap where a program goes, not a word in another's arguments: the package's own guarded round.
    ['[ -x /usr/bin/cronwrap ] && [ ! -d /run/systemd/system ] && { /usr/bin/cronwrap jobs --metrics --if-configured; /usr/bin/cronwrap check; }', { subcommand: 'jobs' }],
    ['test -x /usr/bin/cronwrap || exit 0; /usr/bin/cronwrap --name guarded -- /opt/x', { job: 'guarded' }],
    ['[ -x /usr/bin/cronwrap ] && /usr/bin/cronwrap -- /opt/tidy.sh', { job: 'tidy.sh' }],
    ['sudo -u www-data X=1 nice -n 5 /usr/bin/cronwrap --name as-www -- /srv/x', { job: 'as-www' }],
    ['node /opt/cronwrap/dist/cronwrap-standalone.cjs --name standalone -- x', { job: 'standalone' }],
    ['if [ -x /usr/bin/cronwrap ]; then /usr/bin/cronwrap status; fi', { subcommand: 'status' }],
    ['echo /usr/bin/cronwrap >> /tmp/seen', undefined],
    ['command -v cronwrap >/dev/null && cronwrap --name after-lookup -- /bin/true', { job: 'after-lookup' }],
    ['command -V cronwrap || exit 0; X=1 cronwrap --name after-lookup-v -- /bin/true', { job: 'after-lookup-v' }],
    ['[ -x /usr/bin/cronwrap ] || /opt/app/brett.sh', undefined],
  ])('%s', (command, expected) => {
    expect(cronwrapUse(command, SUBCOMMAND_NAMES)).toEqual(expected);
  });
});

describe("anacron's periods (anacrontab(5): a number of days, or @daily, @weekly, @monthly)", () => {
  it('a period of days is a job like the others, as written with its days; a period anacron refuses is a rejected problem line', () => {
    const root = mkdtempSync(join(tmpdir(), 'cronwrap-anacron-'));
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc', 'anacrontab'), 'SHELL=/bin/sh\n3 0 my.job /usr/local/bin/anajob.sh\n1 5 cron.daily run-parts /etc/cron.daily\n@fortnightly 5 x /bin/x\n0 5 y /bin/y\nnonsense\n');
    const tree = readCronTree(root);
    expect(tree.entries.map(({ line, schedule, anacronPeriodDays, anacronDelayMinutes }) => ({ line, schedule, anacronPeriodDays, anacronDelayMinutes }))).toEqual([
      { line: 2, schedule: '3', anacronPeriodDays: 3, anacronDelayMinutes: 0 },
      { line: 3, schedule: '@daily', anacronPeriodDays: 1, anacronDelayMinutes: 5 },
    ]);
    expect(tree.problems).toEqual([
      { file: '/etc/anacrontab', line: 4, reason: "anacron rejects this line: period '@fortnightly' is not a number of days or @daily, @weekly, @monthly", rejected: true },
      { file: '/etc/anacrontab', line: 5, reason: "anacron rejects this line: period '0' is not a number of days or @daily, @weekly, @monthly", rejected: true },
      { file: '/etc/anacrontab', line: 6, reason: 'anacron rejects this line: not period, delay, id and command', rejected: true },
    ]);
    // Nothing reads a period of days as cron fields: no made-up times.
    expect(shortestInterval('3')).toBeUndefined();
    expect(nextRuns('3', NOW, 1)).toEqual([]);
    rmSync(root, { recursive: true });
  });
});
