import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, tempDir, waitFor } from '../helpers/cronwrap.js';
import type { Inventory } from '../../src/jobs/inventory.js';
import { has, underCron } from '../helpers/daemons.js';
import { cronTree } from '../helpers/cron-tree.js';
import { asNobody, NOBODY, sendmailTo } from '../helpers/deployed.js';
import { listeningPorts } from '../helpers/processes.js';
import { freePort, startSmtp, type ReceivedMail } from '../helpers/servers.js';
import { footer, parseLog } from '../helpers/records.js';

// The Packaging issue: `npm run package` builds the .deb; this installs it on this machine with dpkg -i
// (root, CI), uses it as an operator would, and removes it. It needs dpkg-deb, dpkg-shlibdeps, strip,
// lintian, man, strace, cron, faketime, systemd-analyze and deb-systemd-helper; off CI a missing tool skips it, under CI it fails.
const ROOT = resolve(__dirname, '../..');
const TOOLS = ['dpkg-deb', 'dpkg-shlibdeps', 'strip', 'lintian', 'man', 'strace', 'cron', 'faketime', 'systemd-analyze', 'deb-systemd-helper'];
const runs = process.getuid?.() === 0 && (TOOLS.every(has) || process.env.CI);
// An installed cronwrap, or state of one, is an operator's: the test never replaces or removes it.
const untouched = !existsSync('/usr/bin/cronwrap') && !existsSync('/var/lib/cronwrap');
const withPackage = runs && (untouched || process.env.CI) ? describe : describe.skip;

const sh = (command: string, args: string[], env?: NodeJS.ProcessEnv) => spawnSync(command, args, { encoding: 'utf8', cwd: ROOT, ...(env ? { env } : {}) });
/** For the long ones (the build, lintian, dpkg): a blocked worker misses vitest's own messages. */
const slow = async (command: string, args: string[]) => {
  const result = await execa(command, args, { cwd: ROOT, reject: false, stdin: 'ignore' });
  return { status: result.exitCode, stdout: result.stdout, stderr: result.stderr };
};
const JOB = `pkg-e2e-${process.pid}`;

/** cronwrap's own round, as the package ships it: its systemd units (the examples'), and its cron line for hosts without systemd. */
const ROUND_UNITS = ['cronwrap-check.service', 'cronwrap-check.timer'];
const ROUND_CRON = '/etc/cron.d/cronwrap';
/** What deb-systemd-helper leaves in /etc for the timer: its enabling link, and a mask while the package is removed. */
const TIMER_WANTED = '/etc/systemd/system/timers.target.wants/cronwrap-check.timer';
const TIMER_MASK = '/etc/systemd/system/cronwrap-check.timer';
/** Whether anything, a dangling link too, is at `path`. */
const present = (path: string) => {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
};
/** The command of the round's cron line, as cron hands it to sh. */
const roundCommand = (cronFile: string) => /^\*\/5 \* \* \* \* root (.*)$/m.exec(cronFile)![1]!;

withPackage('the Debian package (needs root, dpkg-dev, lintian, man-db, strace, cron, faketime)', () => {
  let deb = '';
  /** lintian takes half a minute or more: it checks the .deb while the other tests use the installed package. */
  let lint: ReturnType<typeof slow> | undefined;
  beforeAll(async () => {
    expect(untouched, 'a cronwrap is installed here (/usr/bin/cronwrap or /var/lib/cronwrap): CI needs a machine without one').toBe(true);
    const built = await slow('node', ['scripts/package-deb.mjs', '--quick']);
    expect(built.status, built.stderr).toBe(0);
    deb = join(ROOT, /^(release\/\S+\.deb):/m.exec(built.stdout)![1]!);
    lint = slow('lintian', ['--fail-on', 'error', deb]);
    const installed = await slow('dpkg', ['-i', deb]);
    expect(installed.status, installed.stderr).toBe(0);
  }, 600_000); // about 2 minutes beside two CPU hogs, over 3 in one loaded run of the suite: room for slower machines
  afterAll(async () => {
    await slow('dpkg', ['--purge', 'cronwrap']);
    rmSync(join('/var/log/cronwrap', `${JOB}.log`), { force: true });
    spawnSync('rmdir', ['--ignore-fail-on-non-empty', '/var/log/cronwrap']);
    // Purged, the round leaves nothing behind: no cron line, no enabling link, no mask.
    expect([ROUND_CRON, TIMER_WANTED, TIMER_MASK].filter(present)).toEqual([]);
  });

  it('installs /usr/bin/cronwrap, which runs a job with no Node reachable and runs no Node process', () => {
    const dir = tempDir();
    const trace = join(dir, 'execs');
    const env = { PATH: '/nonexistent', CRONWRAP_CONFIG: '/dev/null', CRONWRAP_STATE_DIR: join(dir, 'state'), CRONWRAP_LOG_DIR: join(dir, 'logs') };
    const run = sh('strace', ['-f', '-qq', '-e', 'trace=execve', '-o', trace, 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), '/usr/bin/cronwrap', '--name', 'solo', '--', '/bin/echo', 'no node here']);
    expect(run.status, run.stderr).toBe(0);
    const programs = [...readFileSync(trace, 'utf8').matchAll(/execve\("([^"]+)", .*\) = 0$/gm)].map((m) => m[1]);
    expect(programs).toEqual(['/usr/bin/env', '/usr/bin/cronwrap', '/bin/echo']);
    expect(footer(parseLog(readFileSync(join(dir, 'logs', 'solo.log')))).exit).toBe('0');
    expect(sh('/usr/bin/cronwrap', ['--version']).stdout).toMatch(/^cronwrap \d+\.\d+\.\d+ \(Debian package, single executable, Node v\d+\.\d+\.\d+ built in\)\n$/);
  });

  it('ships cronwrap(1), generated from the option table: man renders it, with every flag of --help', () => {
    const page = sh('man', ['-l', '/usr/share/man/man1/cronwrap.1.gz'], { ...process.env, MANWIDTH: '100', MANPAGER: 'cat', PAGER: 'cat' });
    expect(page.status, page.stderr).toBe(0);
    expect(page.stderr).toBe('');
    const help = sh('/usr/bin/cronwrap', ['--help']).stdout;
    const flags = new Set([...help.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]!));
    expect(flags.size).toBeGreaterThan(50);
    for (const flag of flags) expect(page.stdout, flag).toContain(flag);
    expect(page.stdout).toMatch(/cronwrap pause \[options\] <job>/); // the subcommands' own help
  });

  it("ships /etc/cronwrap/cronwrap.toml (root:root 0644, a conffile every user's cronwrap reads) that config check accepts, as it is and with every default uncommented", () => {
    const stat = sh('stat', ['-c', '%U:%G %a', '/etc/cronwrap/cronwrap.toml']).stdout.trim();
    expect(stat).toBe('root:root 644');
    expect(sh('dpkg-query', ['-W', '-f', '${Conffiles}', 'cronwrap']).stdout).toContain('/etc/cronwrap/cronwrap.toml');
    const check = sh('/usr/bin/cronwrap', ['config', 'check']);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const uncommented = join(tempDir(), 'all-defaults.toml');
    const text = readFileSync('/etc/cronwrap/cronwrap.toml', 'utf8').replace(/^#(\w+ = .+)$/gm, '$1');
    writeFileSync(uncommented, text, { mode: 0o600 });
    expect(text).toMatch(/^heal_budget = 3$/m);
    const all = sh('/usr/bin/cronwrap', ['config', 'check', '--config', uncommented]);
    expect(all.status, all.stdout + all.stderr).toBe(0);
  });

  it('ships the fleet examples the README tells an operator to load (Prometheus rules, Alertmanager, Grafana) under /usr/share/doc/cronwrap/examples', () => {
    for (const dir of ['prometheus', 'alertmanager', 'grafana']) {
      const shipped = readdirSync(join(ROOT, 'examples', dir));
      expect(readdirSync(join('/usr/share/doc/cronwrap/examples', dir)).sort(), dir).toEqual(shipped.sort());
      for (const name of shipped) expect(readFileSync(join('/usr/share/doc/cronwrap/examples', dir, name), 'utf8'), name).toBe(readFileSync(join(ROOT, 'examples', dir, name), 'utf8'));
    }
  });

  it('creates /var/log/cronwrap (0750) and /var/lib/cronwrap (0700), wires logrotate, and completes in bash', () => {
    expect(sh('stat', ['-c', '%a', '/var/log/cronwrap', '/var/lib/cronwrap']).stdout.split('\n').slice(0, 2)).toEqual(['750', '700']);
    expect(sh('logrotate', ['-d', '/etc/logrotate.d/cronwrap']).status).toBe(0);
    const complete = (line: string) =>
      sh('bash', ['-c', `source /usr/share/bash-completion/completions/cronwrap; COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _cronwrap; printf '%s\\n' "\${COMPREPLY[@]}"`]).stdout.trim().split('\n');
    expect(complete('cronwrap pa')).toEqual(['pause']);
    expect(complete('cronwrap --heal-r')).toEqual(['--heal-retry']);
    expect(complete('cronwrap config s')).toEqual(['show']);
  });

  it("ships its own round every 5 minutes: a systemd timer it enables, and /etc/cron.d/cronwrap (a conffile) for hosts without systemd; silent with no metrics directory, the inventory written with one", () => {
    for (const unit of ROUND_UNITS) expect(readFileSync(join('/lib/systemd/system', unit), 'utf8'), unit).toBe(readFileSync(join(ROOT, 'examples', 'systemd', unit), 'utf8'));
    const verify = sh('systemd-analyze', ['verify', '--man=no', ...ROUND_UNITS.map((unit) => join('/lib/systemd/system', unit))]);
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    // Enabled as deb-systemd-helper does it, whether systemd runs or not.
    expect(readlinkSync(TIMER_WANTED)).toBe('/lib/systemd/system/cronwrap-check.timer');
    const cronFile = readFileSync(ROUND_CRON, 'utf8');
    expect(cronFile).toBe(readFileSync(join(ROOT, 'examples', 'cron.d', 'cronwrap'), 'utf8'));
    expect(sh('stat', ['-c', '%U:%G %a', ROUND_CRON]).stdout.trim()).toBe('root:root 644');
    expect(sh('dpkg-query', ['-W', '-f', '${Conffiles}', 'cronwrap']).stdout).toContain(ROUND_CRON);

    // The round as cron runs it here, with no metrics directory configured: not a word (cron would mail it every 5 minutes).
    const dir = tempDir();
    const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', CRONWRAP_CONFIG: '/dev/null', CRONWRAP_STATE_DIR: join(dir, 'state') };
    const quiet = sh('sh', ['-c', roundCommand(cronFile)], env);
    expect([quiet.stdout, quiet.stderr]).toEqual(['', '']);
    const systemdRuns = existsSync('/run/systemd/system');
    if (!systemdRuns) {
      // With one, this host's inventory: the package's own timer among its jobs.
      const hostMetrics = join(dir, 'host-textfile');
      const round = sh('sh', ['-c', roundCommand(cronFile)], { ...env, CRONWRAP_METRICS_DIR: hostMetrics });
      expect([round.stdout, round.stderr]).toEqual(['', '']);
      expect(readFileSync(join(hostMetrics, 'cronwrap-inventory.prom'), 'utf8')).toMatch(/^cronwrap_job_info\{cron_job="cronwrap",user="root",schedule="OnCalendar=\*:0\/5",source="systemd",kind="package",wrapped="true"\} 1$/m);
    }
    // The installed binary's inventory of a fixture tree, into the metrics directory the environment names.
    const metricsDir = join(dir, 'textfile');
    const written = sh('/usr/bin/cronwrap', ['jobs', '--metrics', '--root', cronTree('cron-root', join(dir, 'root'))], { ...env, CRONWRAP_METRICS_DIR: metricsDir });
    expect([written.status, written.stdout, written.stderr]).toEqual([0, '', '']);
    const text = readFileSync(join(metricsDir, 'cronwrap-inventory.prom'), 'utf8');
    expect(text).toMatch(/^cronwrap_job_info\{cron_job="brett\.sh",user="root",schedule="\* \* \* \* \*",source="cron\.d",kind="local",wrapped="false"\} 1$/m);
    expect(text).toMatch(/^cronwrap_never_firing_timers 1$/m);
  });

  describe('as deployed: jobs in /etc/cron.d, run by a real cron, mail through a real MTA', () => {
    const ok = `${JOB}-ok`;
    const flagged = `${JOB}-flagged`;
    const configured = `${JOB}-configured`;
    const canary = `${JOB}-canary`;
    const crontab = [
      'PATH=/usr/bin:/bin',
      // Each schedule comes from its crontab line: no --schedule.
      `* * * * * root /usr/bin/cronwrap --name ${ok} -- sh -c 'echo all good'`,
      `* * * * * root /usr/bin/cronwrap --name ${flagged} --mail-to flagged@example.com -- sh -c 'echo broken >&2; exit 3'`,
      `* * * * * root /usr/bin/cronwrap --name ${configured} -- sh -c 'echo no disk; exit 4'`,
      // Unwrapped: cron mails its output to root, which proves cron's mail reaches the MTA.
      `* * * * * root echo ${canary}`,
      '',
    ].join('\n');
    const config = '/etc/cronwrap/cronwrap.toml';
    let shipped = '';
    let mails: ReceivedMail[] = [];
    /** Everything the installed binary printed on stderr in this block: it must hold no Node warning. */
    const stderrs: string[] = [];
    const installed = (args: string[], env?: NodeJS.ProcessEnv) => {
      const result = sh('/usr/bin/cronwrap', args, env);
      stderrs.push(result.stderr);
      return result;
    };
    const logOf = (job: string) => join('/var/log/cronwrap', `${job}.log`);
    const ended = (job: string) => existsSync(logOf(job)) && readFileSync(logOf(job), 'utf8').includes('=== end');
    const mailsTo = (address: string) => mails.filter((mail) => mail.to.includes(address));

    beforeAll(async () => {
      // As the Chef recipe deploys it: mail_to in the config file, for every job.
      shipped = readFileSync(config, 'utf8');
      writeFileSync(config, `${shipped}\nmail_to = "configured@example.com"\n`);
      const smtp = await startSmtp();
      mails = smtp.mails;
      const cronPid = () => Number(readFileSync('/run/crond.pid', 'utf8'));
      // Done when every job ended, cronwrap's two mails and cron's canary arrived, and cron has no job left
      // running (its mail is sent before the job's cron process ends).
      const done = () =>
        [ok, flagged, configured].every(ended) &&
        mailsTo('flagged@example.com').length > 0 &&
        mailsTo('configured@example.com').length > 0 &&
        mailsTo('root@localhost').some((mail) => mail.raw.includes(canary)) &&
        sh('pgrep', ['-P', String(cronPid())]).status === 1;
      await underCron(JOB, crontab, done, tempDir(), sendmailTo(smtp.port));
      // check and jobs read the crontab: it stays for them (underCron removed its copy).
      writeFileSync(join('/etc/cron.d', JOB), crontab, { mode: 0o644 });
    }, 120_000);
    afterAll(() => {
      writeFileSync(config, shipped);
      rmSync(join('/etc/cron.d', JOB), { force: true });
      for (const job of [ok, flagged, configured]) rmSync(logOf(job), { force: true });
    });

    it('cron mails nothing for a succeeding job or a failure cronwrap mailed itself; cronwrap\'s mails arrive', () => {
      const fromCron = mailsTo('root@localhost').map((mail) => /^Subject: (.*)$/m.exec(mail.raw)?.[1]);
      expect(fromCron).toEqual([expect.stringContaining(`echo ${canary}`)]);
      expect(mailsTo('flagged@example.com')).toHaveLength(1);
      expect(mailsTo('flagged@example.com')[0]!.raw).toMatch(new RegExp(`^Subject: .*${flagged}`, 'm'));
      expect(mailsTo('flagged@example.com')[0]!.raw).toContain('broken');
      expect(mailsTo('configured@example.com').map((mail) => /^Subject: (.*)$/m.exec(mail.raw)?.[1])).toEqual([expect.stringContaining(configured)]);
      expect(mails.filter((mail) => mail.raw.includes(ok))).toEqual([]);
      expect(footer(parseLog(readFileSync(logOf(flagged)))).exit).toBe('3');
    });

    it('the installed check, status and jobs agree with what ran', () => {
      const check = installed(['check', '--json']);
      const checked = (JSON.parse(check.stdout) as { job: string; missed: string | null; last_run: string | null }[]).filter((c) => c.job.startsWith(JOB));
      expect(checked.map((c) => c.job).sort()).toEqual([configured, flagged, ok].sort());
      for (const c of checked) {
        expect(c.missed, c.job).toBeNull();
        expect(c.last_run, c.job).not.toBeNull();
      }
      const status = installed(['status', '--json']);
      expect(status.status).toBe(1); // two jobs' last runs failed
      const summaries = new Map((JSON.parse(status.stdout) as { job: string; failing: boolean; missed: string | null }[]).map((s) => [s.job, s]));
      expect([ok, flagged, configured].map((job) => [summaries.get(job)?.failing, summaries.get(job)?.missed])).toEqual([[false, null], [true, null], [true, null]]);
      const jobs = installed(['jobs', '--json']);
      expect(jobs.status, jobs.stderr).toBe(0);
      const listed = (JSON.parse(jobs.stdout) as Inventory).jobs.filter((j) => j.source.startsWith(join('/etc/cron.d', JOB)));
      expect(listed.map((j) => [j.cronwrap, j.last_run !== null])).toEqual([[ok, true], [flagged, true], [configured, true], [null, false]]);
      // --wrap brings the unwrapped line under the installed binary, by its path, from any directory.
      const wrap = installed(['jobs', '--wrap', join('/etc/cron.d', JOB)]);
      expect(wrap.stdout).toContain('+* * * * * root /usr/bin/cronwrap --name echo ');
    });

    it('takes no Node switch from its environment: NODE_OPTIONS, NODE_DEBUG and NODE_V8_COVERAGE stay the job\'s', () => {
      const dir = tempDir();
      const marker = join(dir, 'required');
      writeFileSync(join(dir, 'evil.js'), `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran as ' + process.getuid())`);
      const coverage = join(dir, 'coverage');
      const env = { PATH: '/usr/bin:/bin', NODE_OPTIONS: `--require ${join(dir, 'evil.js')}`, NODE_DEBUG: 'module,net,http,child_process,fs', NODE_V8_COVERAGE: coverage, NODE_PENDING_DEPRECATION: '1' };
      const run = installed(['--name', `${JOB}-env`, '--log', join(dir, 'env.log'), '--quiet', '--', 'sh', '-c', 'echo "$NODE_OPTIONS|$NODE_DEBUG|$NODE_V8_COVERAGE"'], env);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toBe('');
      expect(existsSync(marker)).toBe(false);
      expect(existsSync(coverage)).toBe(false);
      expect(parseLog(readFileSync(join(dir, 'env.log'))).records.map((r) => r.text.toString())).toEqual([`${env.NODE_OPTIONS}|${env.NODE_DEBUG}|${coverage}`]);
    });

    it('signals to the installed binary reach the job or are handled: no debugger, no death, the run recorded', async () => {
      const dir = tempDir();
      const log = join(dir, 'signals.log');
      const go = join(dir, 'go');
      const passed = ['SIGUSR2', 'SIGQUIT', 'SIGALRM'] as const;
      const traps = passed.map((signal) => `trap 'echo got-${signal}' ${signal.slice(3)};`).join(' ');
      const run = execa('/usr/bin/cronwrap', ['--name', `${JOB}-signals`, '--log', log, '--quiet', '--', 'sh', '-c', `${traps} echo ready; while [ ! -e ${go} ]; do sleep 0.05; done`], { reject: false, stdin: 'ignore' });
      const logged = (text: string) => () => existsSync(log) && readFileSync(log, 'utf8').includes(text);
      await waitFor(logged('out| ready'));
      run.kill('SIGUSR1'); // Node's debugger signal: held, not passed on (the job would print got-SIGUSR1)
      for (const signal of passed) {
        run.kill(signal);
        await waitFor(logged(`out| got-${signal}`));
      }
      expect(listeningPorts(run.pid!)).toEqual([]);
      writeFileSync(go, '');
      const result = await run;
      stderrs.push(String(result.stderr));
      expect(result.exitCode).toBe(0);
      const parsed = parseLog(readFileSync(log));
      expect(footer(parsed).exit).toBe('0');
      expect(parsed.meta.filter((m) => m.event === 'signal').map((m) => m.fields.signal)).toEqual([...passed]);
      // On stdout: the job's traps (its sleeps, which the group's signals end, make sh say so on stderr).
      expect(parsed.records.filter((r) => r.stream === 'out').map((r) => r.text.toString())).toEqual(['ready', ...passed.map((signal) => `got-${signal}`)]);
    });

    it('another local user reads nothing of root\'s: logs, history, state', () => {
      for (const path of [logOf(ok), join('/var/lib/cronwrap/history', `${ok}.jsonl`)]) {
        const read = asNobody('cat', [path]);
        expect(read.status, path).not.toBe(0);
        expect(read.stdout).toBe('');
      }
      expect(asNobody('ls', ['/var/lib/cronwrap']).status).not.toBe(0);
      expect(asNobody('ls', ['/var/log/cronwrap']).status).not.toBe(0);
    });

    it('a user\'s own job reads the shipped config and prints nothing (cron would mail it on every run)', () => {
      const home = tempDir();
      chmodSync(home, 0o755);
      chownSync(home, NOBODY, NOBODY);
      const run = asNobody('/usr/bin/cronwrap', ['--name', 'mine', '--', 'true'], { HOME: home });
      stderrs.push(run.stderr);
      expect([run.status, run.stderr, run.stdout]).toEqual([0, '', '']);
    });

    it('another local user gets nothing from root\'s live view, which its operator opens with the token', async () => {
      const port = await freePort();
      const serve = execa('/usr/bin/cronwrap', ['serve', '--listen', `127.0.0.1:${port}`], { reject: false, stdin: 'ignore' });
      let printed = '';
      serve.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
      try {
        await waitFor(() => printed.includes('token required') || serve.exitCode !== null);
        const url = `http://127.0.0.1:${port}`;
        const token = readFileSync('/var/lib/cronwrap/serve-token', 'utf8').trim();
        const asOperator = await fetch(`${url}/api/jobs`, { headers: { authorization: `Bearer ${token}` } });
        expect(asOperator.status).toBe(200);
        expect(await asOperator.text()).toContain(ok);
        const run = footer(parseLog(readFileSync(logOf(ok)))).run!;
        const probe = asNobody(process.execPath, [join(FIXTURES, 'live-view-probe.mjs'), url, run, '/var/lib/cronwrap/serve-token', '/etc/hostname', ok]);
        expect(probe.status, probe.stderr).toBe(0);
        const seen = JSON.parse(probe.stdout) as { answers: { path: string; status: number; body: string }[]; token: string };
        expect(seen.answers.length).toBeGreaterThan(30);
        for (const answer of seen.answers) {
          expect(answer.status, answer.path).toBe(401);
          expect(answer.body).not.toContain('all good');
        }
        expect(seen.token).toBe('EACCES');
      } finally {
        serve.kill('SIGTERM');
        const ended = await serve;
        stderrs.push(String(ended.stderr));
        expect(ended.exitCode).toBe(0);
      }
    });

    it('prints no Node warning on any path', () => {
      const dir = tempDir();
      for (const args of [['--version'], ['--help'], ['config', 'check'], ['config', 'show'], ['pause', '--help'], ['--name', `${JOB}-w`, '--log', join(dir, 'w.log'), '--', 'true'], ['--name', `${JOB}-f`, '--log', join(dir, 'f.log'), '--', 'false']]) installed(args);
      const warnings = stderrs.filter((text) => /\(node:\d+\)|Warning:/.test(text));
      expect(warnings).toEqual([]);
      expect(stderrs.length).toBeGreaterThan(8);
    });
  });

  it('lintian finds no error in it', async () => {
    const linted = await lint!;
    expect(linted.status, linted.stdout + linted.stderr).toBe(0);
    expect(linted.stdout).not.toMatch(/^E: /m);
    // Its own round's units, cron line and maintainer scripts draw no warning either.
    expect(linted.stdout).not.toMatch(/^W: cronwrap: (\S*(systemd|cron|maintainer-script)|.*\[(postinst|prerm|postrm|lib\/systemd\/|etc\/cron\.d\/))/m);
  }, 300_000);

  it('a real cron runs a job through the installed binary into /var/log/cronwrap; dpkg -r removes cronwrap and keeps the logs', async () => {
    const logged = join('/var/log/cronwrap', `${JOB}.log`);
    const done = () => existsSync(logged) && readFileSync(logged, 'utf8').includes('=== end');
    await underCron(JOB, `PATH=/usr/bin:/bin\n* * * * * root /usr/bin/cronwrap --name ${JOB} -- sh -c 'echo packaged'\n`, done, tempDir());
    const log = parseLog(readFileSync(logged));
    expect(footer(log).exit).toBe('0');
    expect(log.records.map((r) => r.text.toString())).toEqual(['packaged']);
    expect(readdirSync('/var/lib/cronwrap/history')).toContain(`${JOB}.jsonl`);

    const removed = await slow('dpkg', ['-r', 'cronwrap']);
    expect(removed.status, removed.stderr).toBe(0);
    expect(existsSync('/usr/bin/cronwrap')).toBe(false);
    expect(existsSync('/usr/share/man/man1/cronwrap.1.gz')).toBe(false);
    expect(readFileSync(logged, 'utf8')).toContain('packaged');
    expect(existsSync('/etc/cronwrap/cronwrap.toml')).toBe(true); // a conffile stays until purge
    // So does the round's cron line: its guard then runs nothing, and says nothing. The timer is masked until a reinstall.
    const left = sh('sh', ['-c', roundCommand(readFileSync(ROUND_CRON, 'utf8'))], { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' });
    expect([left.stdout, left.stderr]).toEqual(['', '']);
    expect(readlinkSync(TIMER_MASK)).toBe('/dev/null');
  }, 60_000);
});
