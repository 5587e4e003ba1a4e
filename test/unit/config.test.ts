import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configKey, OPTIONS } from '../../src/config/options.js';
import { closestKey, loadConfig } from '../../src/config/config-file.js';
import { resolveSettings } from '../../src/config/resolve.js';
import { tempDir } from '../helpers/cronwrap.js';

function configFile(text: string, mode = 0o644): string {
  const path = join(tempDir(), 'cronwrap.toml');
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

describe('config keys', () => {
  it('come from the option table, one per setting, in snake_case', () => {
    const keys = OPTIONS.map(configKey).filter(Boolean);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(expect.arrayContaining(['timeout', 'alert_after', 'smtp_password_file', 'pagerduty_routing_key_file', 'mail_to', 'webhooks', 'lock_wait']));
    expect(keys).not.toContain('name');
    expect(keys).not.toContain('shell');
  });

  it('suggest the closest key for a typo', () => {
    expect(closestKey('timout')).toBe('timeout');
    expect(closestKey('alert_afer')).toBe('alert_after');
    expect(closestKey('completely_unrelated_key')).toBeUndefined();
  });
});

describe('loadConfig', () => {
  it('reads defaults and job sections, each value checked by the option\'s own parser', () => {
    const config = loadConfig(configFile('timeout = "90s"\nwebhooks = ["https://a.example/x"]\n[jobs.backup]\ntimeout = "2h"\nlock = true\nretries = 2\n'), true);
    expect(config.errors).toEqual([]);
    expect(config.defaults.get('timeoutMs')).toEqual({ value: 90_000, origin: expect.stringMatching(/cronwrap\.toml:1$/) });
    expect(config.defaults.get('webhooks')?.value).toEqual(['https://a.example/x']);
    expect(config.jobs.get('backup')?.get('timeoutMs')).toEqual({ value: 7_200_000, origin: expect.stringMatching(/:4$/) });
    expect(config.jobs.get('backup')?.get('lock')?.value).toBe(true);
  });

  it.each([
    ['timout = "5m"\n', /:1: unknown key 'timout'; did you mean 'timeout'\?/],
    ['\n\nalert_after = "three"\n', /:3: alert_after: 'three' is not N \(failures in a row\) or N\/M/],
    ['alert_after = true\n', /:1: alert_after must be a whole number, or "N\/M" such as "3\/10", not true/],
    ['lock = "yes"\n', /:1: lock must be true or false, not "yes"/],
    ['timeout = "soon"\n', /:1: timeout: 'soon' is not a duration/],
    ['ping = "ftp://x"\n', /:1: ping: use an http:\/\/ or https:\/\/ URL/],
    ['mail_to = "ops@"\n', /:1: mail_to: 'ops@' is not a mail address/], // a local name such as root is fine (cron's MAILTO)
    ['[jobs.backup]\nretires = 2\n', /:2: unknown key 'retires'; did you mean 'retries'\?/],
    ['timeout = \n', /:1: not valid TOML/],
    ['warn_exit = [3, "x"]\n', /:1: warn_exit must be a list of exit statuses such as \[3, 4\], not/],
    ['ok_exit = "1,256"\n', /:1: ok_exit: '1,256' is not a list of exit statuses from 1 to 255, e.g. 3,4/],
  ])('names the key, file and line for %j', (text, message) => {
    const config = loadConfig(configFile(text), true);
    expect(config.errors).toHaveLength(1);
    expect(config.errors[0]).toMatch(message);
  });

  it('refuses a secret in a file others can read, and takes it from a private one', () => {
    const exposed = loadConfig(configFile('smtp_password = "s3cret"\n', 0o644), true);
    expect(exposed.errors[0]).toMatch(/smtp_password: this file can be read by other users, so the secret in it is not used; chmod o-r/);
    expect(exposed.errors[0]).not.toContain('s3cret');
    expect(exposed.defaults.has('smtpPassword')).toBe(false);
    const private_ = loadConfig(configFile('smtp_password = "s3cret"\n', 0o600), true);
    expect(private_.errors).toEqual([]);
    expect(private_.defaults.get('smtpPassword')?.value).toBe('s3cret');
  });

  it('a missing file is fine only when it is the default one', () => {
    expect(loadConfig('/nonexistent/cronwrap.toml', false).errors).toEqual([]);
    expect(loadConfig('/nonexistent/cronwrap.toml', true).errors[0]).toMatch(/cannot read the config file: ENOENT/);
  });
});

describe('resolveSettings', () => {
  it('flag > environment > job section > top level > built-in, with the origin of each', () => {
    const path = configFile('timeout = "1m"\nretries = 1\njitter = "5s"\n[jobs.backup]\ntimeout = "2h"\nretries = 3\n');
    const { settings, origins } = resolveSettings({ retries: '7', config: path }, { CRONWRAP_TIMEOUT: '30s' }, 'backup');
    expect(settings).toMatchObject({ retries: 7, timeoutMs: 30_000, jitterMs: 5000, lockWaitMs: 0 });
    expect(origins).toMatchObject({ retries: 'flag --retries', timeoutMs: 'env CRONWRAP_TIMEOUT', jitterMs: expect.stringMatching(/:3$/), lockWaitMs: 'default' });
    const noEnv = resolveSettings({ config: path }, {}, 'backup');
    expect(noEnv.settings).toMatchObject({ timeoutMs: 7_200_000, retries: 3 });
    const otherJob = resolveSettings({ config: path }, {}, 'other');
    expect(otherJob.settings).toMatchObject({ timeoutMs: 60_000, retries: 1 });
  });

  it('exit statuses as a TOML list, a number or "3,4"; --no-page-warnings given on the command line beats the file', () => {
    const path = configFile('warn_exit = [3, 4]\nok_exit = 1\npage_warnings = true\n[jobs.grep]\nok_exit = "1, 2"\n');
    expect(resolveSettings({ config: path }, {}, 'backup').settings).toMatchObject({ warnExit: [3, 4], okExit: [1], pageWarnings: true });
    expect(resolveSettings({ config: path }, {}, 'grep').settings.okExit).toEqual([1, 2]);
    const flagged = resolveSettings({ config: path, pageWarnings: false, warnExit: '3 3' }, { CRONWRAP_OK_EXIT: '7' }, 'backup');
    expect(flagged.settings).toMatchObject({ pageWarnings: false, warnExit: [3], okExit: [7] });
    expect(flagged.origins).toMatchObject({ pageWarnings: 'flag --no-page-warnings' });
  });

  it('a broken entry is reported and skipped; the rest of the file still applies', () => {
    const path = configFile('timeout = "1m"\nretries = "many"\n');
    const { settings, configErrors } = resolveSettings({ config: path }, {}, undefined);
    expect(settings).toMatchObject({ timeoutMs: 60_000, retries: 0 });
    expect(configErrors).toEqual([expect.stringMatching(/retries must be a whole number/)]);
  });
});
