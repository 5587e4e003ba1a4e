import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manPage } from '../../src/package/man-page.js';
import { INSTALLED_BINARY } from '../../src/util/installed-binary.js';

const ROOT = resolve(__dirname, '../..');
/** The PATH Debian's cron gives every job (cron(8): PATH=/usr/bin:/bin), unless the crontab sets one. */
const CRON_PATH = '/usr/bin:/bin';
/** An absolute path to a program named cronwrap in some bin directory (not /etc/cronwrap or bin/cronwrap of a checkout). */
const CRONWRAP_PATH = /(?<![\w.~$}/-])(?:\/[\w.-]+)*\/s?bin\/cronwrap(?![\w.-])/g;

/** Every text file under `dir` (images are not read). */
function textFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.png'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** What a reader copies cronwrap's path from: the README, docs/, examples/ and the man page (with --help's examples in it). */
const SOURCES: [string, string][] = [
  ...[join(ROOT, 'README.md'), ...textFiles(join(ROOT, 'docs')), ...textFiles(join(ROOT, 'examples'))].map((file): [string, string] => [relative(ROOT, file), readFileSync(file, 'utf8')]),
  ['cronwrap(1)', manPage('0.0.0', '2026-01-01')],
];

describe('the path cronwrap is installed at', () => {
  it('is on the PATH cron gives jobs', () => {
    expect(CRON_PATH.split(':')).toContain(dirname(INSTALLED_BINARY));
  });

  it('is the one path every crontab line, unit, recipe and man page example calls cronwrap by', () => {
    const used = SOURCES.flatMap(([name, text]) => [...text.matchAll(CRONWRAP_PATH)].map((match) => `${name}: ${match[0]}`));
    expect(used.filter((use) => !use.endsWith(`: ${INSTALLED_BINARY}`))).toEqual([]);
    // Each place a reader copies from names it (a scan that found nothing would prove nothing).
    for (const source of ['README.md', 'examples/crontab', 'examples/systemd/cronwrap-backup.service', 'examples/chef/cronwrap/recipes/default.rb', 'cronwrap(1)']) {
      expect(used.filter((use) => use.startsWith(`${source}: `)).length, source).toBeGreaterThan(0);
    }
  });
});
