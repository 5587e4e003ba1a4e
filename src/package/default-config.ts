// /etc/cronwrap/cronwrap.toml as the Debian package ships it: every key of the option table with its help
// and its default, commented out, so the file documents itself and passes `cronwrap config check`.
import { tomlValue } from '../commands/config.js';
import { configKey, OPTIONS } from '../config/options.js';

export function defaultConfig(): string {
  const lines = [
    '# cronwrap settings for every run on this host (cronwrap(1); `cronwrap config check` checks this file,',
    '# `cronwrap config show --name JOB` shows what a job gets and from where). Every key is shown commented',
    '# out with its default. Precedence: flag > CRONWRAP_* variable > [jobs.NAME] section > top level.',
    '# A file holding a secret must not be readable by others (this one is root:root 0640).',
    '#',
    '# [jobs.mysql-backup]        # settings for --name mysql-backup only',
    '# timeout = "2h"',
    '# on_failure = "systemctl restart mysql"',
  ];
  for (const spec of OPTIONS) {
    const key = configKey(spec);
    if (!key) continue;
    const value = spec.defaultValue === undefined ? '' : tomlValue(spec, spec.defaultValue);
    lines.push('', `# ${spec.help}`, value ? `#${key} = ${value}` : `#${key} =`);
  }
  return `${lines.join('\n')}\n`;
}
