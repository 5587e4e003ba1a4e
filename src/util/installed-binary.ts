/**
 * Where cronwrap is installed: the Debian package puts it there, and every other documented way to install
 * (the single executable, the single Node file, the npm package) installs it to the same path, so one
 * crontab line works whichever way a host got it. `/usr/bin` is on the PATH cron gives jobs.
 */
export const INSTALLED_BINARY = '/usr/bin/cronwrap';
