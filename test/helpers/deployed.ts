import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './cronwrap.js';

/** The unprivileged local user the security tests play. */
export const NOBODY = 65534;

/** Runs `command` as user nobody (no groups), as another local user on the machine would. */
export function asNobody(command: string, args: readonly string[], env: Record<string, string> = {}) {
  return spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', command, ...args], { encoding: 'utf8', cwd: '/', env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent', ...env } });
}

/**
 * A sendmail for the machine's mail: msmtp, the real MTA client, handing every message to the SMTP server
 * on 127.0.0.1:`port`; mail for `root` (cron's MAILTO) goes to root@localhost.
 */
export function sendmailTo(port: number): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'aliases'), 'root: root@localhost\n');
  writeFileSync(join(dir, 'msmtprc'), `defaults\nauth off\ntls off\naliases ${join(dir, 'aliases')}\naccount default\nhost 127.0.0.1\nport ${port}\nfrom root@localhost\n`, { mode: 0o600 });
  const sendmail = join(dir, 'sendmail');
  writeFileSync(sendmail, `#!/bin/sh\nexec msmtp -C ${join(dir, 'msmtprc')} "$@"\n`);
  chmodSync(sendmail, 0o755);
  return sendmail;
}
