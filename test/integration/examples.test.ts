import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { invocationOf } from '../helpers/invocation.js';
import { cronwrap, sandbox, startCronwrap, waitForOutput } from '../helpers/cronwrap.js';
import { parseLog } from '../helpers/records.js';
import { INSTALLED_BINARY } from '../../src/util/installed-binary.js';

const EXAMPLES = resolve(__dirname, '../../examples');
const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
// CI installs every tool these tests use; elsewhere a missing one skips its test, and says so.
const needs = (command: string) => (has(command) || process.env.CI ? it : it.skip);

/** The arguments after `cronwrap` in a shell line, up to a redirection or another command. */
function cronwrapArgs(line: string): string[] {
  const tokens = line.slice(line.indexOf('cronwrap ') + 'cronwrap '.length).match(/'[^']*'|\S+/g) ?? [];
  const end = tokens.findIndex((t) => ['>', '|', '||', '&&', ';'].includes(t));
  return (end === -1 ? tokens : tokens.slice(0, end)).map((t) => t.replace(/^'(.*)'$/, '$1'));
}

/** A user crontab line: five schedule fields (from a digit or `*`), or an @keyword, then the command (not a diff's `-`/`+` line). */
const FIELD = String.raw`(?=\S*[\d*])[\w*/,-]+`;
const CRON_LINE = new RegExp(String.raw`^(@(reboot|yearly|annually|monthly|weekly|daily|hourly)|(?=[\d*])(${FIELD}\s+){4}${FIELD})\s+(?=\S)`);

/** The programs a crontab command runs: the first word of each part of a pipeline or list, and what cronwrap runs after `--`. */
function programsOf(command: string): string[] {
  const parts = command.replace(/'[^']*'|"[^"]*"/g, 'ARG').split(/\|\||&&|[|;]/);
  return parts.flatMap((part) => {
    const words = part.trim().split(/\s+/).filter((w) => !/^[A-Z_]+=/.test(w));
    const dashes = words.indexOf('--');
    return [words[0]!, ...(dashes >= 0 && words[dashes + 1] ? [words[dashes + 1]!] : [])];
  });
}

describe('examples', () => {
  it('every cronwrap line of examples/crontab is a valid invocation', () => {
    const lines = readFileSync(join(EXAMPLES, 'crontab'), 'utf8').split('\n').filter((l) => /^[^#]\S*\s.*cronwrap /.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(8);
    for (const line of lines) {
      const invocation = invocationOf(cronwrapArgs(line));
      expect(invocation.mode, line).not.toBe('print');
    }
  });

  it("every command of examples/crontab and the README's crontab lines is found under cron's PATH", () => {
    const readme = readFileSync(join(EXAMPLES, '..', 'README.md'), 'utf8');
    const lines = [...readFileSync(join(EXAMPLES, 'crontab'), 'utf8').split('\n'), ...readme.split('\n')].filter((l) => CRON_LINE.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(14);
    for (const line of lines) {
      // A line for /etc/crontab or /etc/cron.d names its user before the command.
      const command = line.replace(CRON_LINE, '').replace(new RegExp(String.raw`^[a-z_][\w-]*\s+(?=${INSTALLED_BINARY}\s)`), '');
      for (const program of programsOf(command)) {
        if (program.startsWith('/')) {
          // Not installed here: the path every way to install cronwrap puts it at, and the jobs' own scripts.
          expect(program === INSTALLED_BINARY || !program.includes('cronwrap'), line).toBe(true);
          continue;
        }
        const found = spawnSync('sh', ['-c', 'command -v "$0"', program], { env: { PATH: '/usr/bin:/bin' } });
        expect(found.status, `${program} in: ${line}`).toBe(0);
      }
    }
  });

  it.each(readdirSync(join(EXAMPLES, 'config')))('examples/config/%s passes cronwrap config check', async (file) => {
    // Checked as installed (root's, 0644), whatever mode the checkout gave the file.
    const box = sandbox();
    writeFileSync(box.env.CRONWRAP_CONFIG!, readFileSync(join(EXAMPLES, 'config', file)));
    const result = await cronwrap(['config', 'check', '--config', box.env.CRONWRAP_CONFIG!], box);
    expect(result.stderr.toString()).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('the systemd service runs a valid cronwrap command', () => {
    const service = readFileSync(join(EXAMPLES, 'systemd', 'cronwrap-backup.service'), 'utf8');
    const execStart = /^ExecStart=(.*)$/m.exec(service)![1]!;
    expect(invocationOf(cronwrapArgs(execStart))).toMatchObject({ mode: 'wrap', job: 'backup', settings: { timeoutMs: 7_200_000, lock: true } });
    expect(readFileSync(join(EXAMPLES, 'systemd', 'cronwrap-backup.timer'), 'utf8')).toMatch(/^OnCalendar=/m);
    const check = /^ExecStart=(.*)$/m.exec(readFileSync(join(EXAMPLES, 'systemd', 'cronwrap-check.service'), 'utf8'))![1]!;
    expect(invocationOf(cronwrapArgs(check))).toMatchObject({ mode: 'check' });
    expect(readFileSync(join(EXAMPLES, 'systemd', 'cronwrap-check.timer'), 'utf8')).toMatch(/^OnCalendar=\*:0\/5$/m);
    const serve = readFileSync(join(EXAMPLES, 'systemd', 'cronwrap-serve.service'), 'utf8');
    const [loopback, beyond] = [...serve.matchAll(/^#?ExecStart=(\S.*)$/gm)].map((m) => invocationOf(cronwrapArgs(m[1]!)));
    expect(loopback).toMatchObject({ mode: 'serve', listen: { host: '127.0.0.1', port: 8089 } });
    expect(beyond).toMatchObject({ mode: 'serve', listen: { host: '0.0.0.0', port: 8089 }, tlsCert: '/etc/cronwrap/serve.crt' });
    expect(serve).toMatch(/^#Environment=CRONWRAP_SERVE_TOKEN_FILE=/m); // the address beyond loopback needs its token
  });

  needs('ruby')('the Chef recipe is valid Ruby and its template renders a config that cronwrap accepts', async () => {
    const cookbook = join(EXAMPLES, 'chef', 'cronwrap');
    for (const file of ['recipes/default.rb', 'attributes/default.rb', 'metadata.rb']) {
      const check = spawnSync('ruby', ['-c', join(cookbook, file)], { encoding: 'utf8' });
      expect(check.status, check.stderr).toBe(0);
    }
    const recipe = readFileSync(join(cookbook, 'recipes', 'default.rb'), 'utf8');
    expect(recipe).toContain('verify "#{bin} config check --config %{path}"');
    expect(recipe).toMatch(/dpkg_package 'cronwrap'/); // the package, not a Node runtime
    expect(recipe).not.toMatch(/package 'nodejs'/);
    expect(recipe).toMatch(/mode '0600'/);
    // Render the template with the cookbook's default attributes, as Chef would.
    const render = `
      require 'erb'
      node = Hash.new { |h, k| h[k] = Hash.new(&h.default_proc) }
      default = node
      eval(File.read(${JSON.stringify(join(cookbook, 'attributes', 'default.rb'))}))
      a = node['cronwrap']
      @mail_to, @smtp_url, @alert_after, @jobs = a['mail_to'], a['smtp_url'], a['alert_after'], a['jobs']
      print ERB.new(File.read(${JSON.stringify(join(cookbook, 'templates', 'cronwrap.toml.erb'))}), trim_mode: '-').result(binding)`;
    const rendered = spawnSync('ruby', ['-e', render], { encoding: 'utf8' });
    expect(rendered.status, rendered.stderr).toBe(0);
    const box = sandbox();
    const path = join(box.dir, 'cronwrap.toml');
    writeFileSync(path, rendered.stdout);
    const check = await cronwrap(['config', 'check', '--config', path], box);
    expect(check.stderr.toString()).toBe('');
    expect(check.exitCode).toBe(0);
    const show = await cronwrap(['config', 'show', '--config', path, '--name', 'backup'], box);
    expect(show.stdout.toString()).toMatch(/^timeout = "2h"  # .*cronwrap\.toml:\d+$/m);
  });

  needs('promtool')('the Prometheus rules pass promtool, their unit tests fire and stay quiet, and the metrics they read lint clean', async () => {
    const dir = join(EXAMPLES, 'prometheus');
    const runs = [['check', 'rules', 'cronwrap-alerts.yml', 'cronwrap-fleet.yml'], ['test', 'rules', 'cronwrap-alerts.test.yml', 'cronwrap-fleet.test.yml'], ['check', 'config', 'prometheus.yml']];
    for (const args of runs) {
      const result = spawnSync('promtool', args, { cwd: dir, encoding: 'utf8' });
      expect(result.status, `promtool ${args.join(' ')}: ${result.stdout}${result.stderr}`).toBe(0);
    }
    const box = sandbox();
    const metrics = join(box.dir, 'textfile');
    await cronwrap(['--name', 'backup', '--metrics-dir', metrics, '--', 'sh', '-c', 'exit 2'], box);
    const text = readFileSync(join(metrics, 'cronwrap_backup.prom'), 'utf8');
    // The rules' label and series, as cronwrap writes them: a failed first run already has a success series.
    expect(text).toMatch(/^cronwrap_last_exit_code\{cron_job="backup"\} 2$/m);
    expect(text).toMatch(/^cronwrap_last_success_timestamp_seconds\{cron_job="backup"\} \d+/m);
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
    // A fleet group's job: the labels and series the fleet rules read, and they lint clean too.
    await cronwrap(['--name', 'rotate', '--metrics-dir', metrics, '--schedule', '*/5 * * * *', '--fleet-group', 'ops', '--fleet-expect', 'one', '--', 'true'], box);
    const fleet = readFileSync(join(metrics, 'cronwrap_rotate.prom'), 'utf8');
    for (const series of ['cronwrap_last_start_timestamp_seconds', 'cronwrap_next_run_deadline_timestamp_seconds', 'cronwrap_fleet_expected_hosts']) {
      expect(fleet).toMatch(new RegExp(`^${series}\\{cron_job="rotate",fleet_group="ops",fleet_expect="one"\\} \\d`, 'm'));
    }
    expect(fleet).toMatch(/^cronwrap_schedule_interval_seconds\{cron_job="rotate",fleet_group="ops",fleet_expect="one"\} 300$/m);
    const fleetLint = spawnSync('promtool', ['check', 'metrics'], { input: fleet, encoding: 'utf8' });
    expect(fleetLint.status, fleetLint.stdout + fleetLint.stderr).toBe(0);
  });

  needs('amtool')('the Alertmanager config passes amtool check-config, and so does its commented PagerDuty receiver', () => {
    const dir = join(EXAMPLES, 'alertmanager');
    const shipped = readFileSync(join(dir, 'alertmanager.yml'), 'utf8');
    // The commented route and receiver, uncommented as a reader would: every line of the two blocks loses its '# '.
    const blocks = [/^  # routes:\n(?:  #   .*\n)+/m, /^  # - name: cron-pagerduty\n(?:  #   .*\n)+/m];
    let paging = shipped;
    for (const block of blocks) {
      const found = block.exec(shipped)?.[0];
      expect(found, `the example holds ${block}`).toBeDefined();
      paging = paging.replace(found!, found!.replace(/^  # /gm, '  '));
    }
    expect(paging).toMatch(/^ {4}pagerduty_configs:$/m);
    const box = sandbox();
    for (const [name, text] of [['shipped', shipped], ['paging', paging]] as const) {
      const file = join(box.dir, `${name}.yml`);
      writeFileSync(file, text);
      const check = spawnSync('amtool', ['check-config', file], { encoding: 'utf8' });
      expect(check.status, `${name}: ${check.stdout}${check.stderr}`).toBe(0);
      expect(check.stdout).toContain(name === 'paging' ? '2 receivers' : '1 receivers');
      expect(check.stdout).toContain('1 inhibit rules');
    }
  });

  needs('promtool')('the Grafana dashboard reads only metrics cronwrap writes, and every query parses', async () => {
    const dashboard = JSON.parse(readFileSync(join(EXAMPLES, 'grafana', 'cronwrap-dashboard.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
      templating: { list: { query: { query: string } }[] };
    };
    const queries = [...dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)), ...dashboard.templating.list.map((variable) => variable.query.query)];
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);

    // Every series a query names is in the .prom files of real runs: a failed one, and one with a schedule.
    const box = sandbox();
    const metrics = join(box.dir, 'textfile');
    await cronwrap(['--name', 'backup', '--metrics-dir', metrics, '--schedule', '0 3 * * *', '--', 'sh', '-c', 'exit 2'], box);
    await cronwrap(['--name', 'report', '--metrics-dir', metrics, '--', 'true'], box);
    const written = new Set(readdirSync(metrics).flatMap((file) => [...readFileSync(join(metrics, file), 'utf8').matchAll(/^(cronwrap_\w+)\{cron_job=/gm)].map((m) => m[1]!)));
    const used = new Set(queries.flatMap((query) => [...query.matchAll(/\bcronwrap_\w+/g)].map((m) => m[0])));
    expect(used.size).toBeGreaterThanOrEqual(7);
    for (const name of used) expect(written, `${name} is read by the dashboard`).toContain(name);
    for (const query of queries) expect(query, 'panels select by the cron_job label, not job').not.toMatch(/[{,]\s*job\s*=/);

    // promtool parses each panel query as a recording rule (Grafana's variables replaced by what "All" sends).
    const panelQueries = queries.filter((query) => !query.startsWith('label_values'));
    const rules = { groups: [{ name: 'dashboard', rules: panelQueries.map((query, i) => ({ record: `dashboard:query${i}`, expr: query.replaceAll('$instance', '.*').replaceAll('$cron_job', '.*') })) }] };
    const file = join(box.dir, 'dashboard-rules.yml');
    writeFileSync(file, JSON.stringify(rules)); // JSON is YAML
    const check = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain(`${panelQueries.length} rules found`);
  });

  needs('logrotate')('the logrotate config rotates a log while a run writes to it, losing no line', async () => {
    const box = sandbox();
    const config = join(box.dir, 'logrotate.conf');
    writeFileSync(config, readFileSync(join(EXAMPLES, 'logrotate', 'cronwrap'), 'utf8').replace('/var/log/cronwrap/*.log', `${box.logDir}/*.log`).replace('create 0640 root adm', 'create 0640'));
    chmodSync(config, 0o644); // logrotate ignores a config its group may write (a umask of 002 makes one)
    // The job writes until cronwrap has moved on to the new file (400 lines at least, 5000 at most): the rotation is
    // always mid-run, however slow or fast the machine. (The pattern is not the text of the command, which
    // the start record quotes.)
    const log = join(box.logDir, 'rotated.log');
    const job = startCronwrap(['--name', 'rotated', '-c', `i=0; until [ $i -ge 5000 ] || { [ $i -ge 400 ] && grep -q '=== reopen[e]d' ${log}; }; do echo "line $i"; i=$((i+1)); sleep 0.002; done`], box);
    await waitForOutput(box, 'rotated', 'out| line 10\n'); // rotate while the job writes
    const rotate = spawnSync('logrotate', ['-f', '-s', join(box.dir, 'logrotate.status'), config], { encoding: 'utf8' });
    expect(rotate.status, rotate.stderr).toBe(0);
    expect((await job).exitCode).toBe(0);
    await cronwrap(['--name', 'rotated', '--', 'echo', 'next run'], box);
    expect(existsSync(join(box.logDir, 'rotated.log.1'))).toBe(true);
    const before = parseLog(readFileSync(join(box.logDir, 'rotated.log.1')));
    const after = parseLog(readFileSync(join(box.logDir, 'rotated.log')));
    expect([...before.garbage, ...after.garbage]).toEqual([]);
    // The running job went on in the new file after a '=== reopened' record: split there, nothing lost, in order.
    const lines = [...before.records, ...after.records].map((r) => r.text.toString());
    expect(lines.length - 1).toBeGreaterThanOrEqual(400);
    expect(lines).toEqual([...Array.from({ length: lines.length - 1 }, (_, i) => `line ${i}`), 'next run']);
    expect(before.records.length).toBeGreaterThan(0);
    expect(after.meta.map((m) => m.event)).toEqual(['reopened', 'end', 'start', 'end']);
  });
});
