// `npm run package`: builds release/cronwrap_<version>_<arch>.deb with dpkg-deb, offline: the single
// executable at /usr/bin/cronwrap, cronwrap(1) and the bash completion generated from the option table,
// /etc/cronwrap/cronwrap.toml (a conffile: every key commented out with its default), logrotate wiring,
// cronwrap's own round every 5 minutes (`check`, and `jobs --metrics` where metrics_dir is set): a systemd
// timer, enabled the Debian way, and /etc/cron.d/cronwrap for hosts where systemd is not PID 1;
// /var/log/cronwrap and /var/lib/cronwrap, and a copyright file naming every bundled library and its licence.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { common, defines, version } from './bundles.mjs';
import { buildExecutable } from './executable.mjs';

const MAINTAINER = 'cronwrap developers <cronwrap@example.com>';
const ROOT = 'release/deb';
/** The build's date: SOURCE_DATE_EPOCH when set (reproducible builds), else now. */
const BUILT = process.env.SOURCE_DATE_EPOCH ? new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000) : new Date();
const run = (command, args, options = {}) => execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options }).trim();

/** The generators of src/package/, bundled and loaded (they read the option table, as --help does). */
async function generators() {
  const work = mkdtempSync(join(tmpdir(), 'cronwrap-package-'));
  const file = join(work, 'generators.cjs');
  await build({ ...common, entryPoints: ['src/package/index.ts'], outfile: file, define: defines('deb') });
  const loaded = createRequire(import.meta.url)(file);
  rmSync(work, { recursive: true, force: true });
  return loaded;
}

/** Writes `text` (or a Buffer) at `path` under the package root, with `mode`. */
function put(path, content, mode = 0o644) {
  const file = join(ROOT, path);
  mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
  writeFileSync(file, content);
  chmodSync(file, mode);
}

/** Gzipped as Debian wants it: best compression, no name or time in the header (zlib writes neither). */
const gzip = (text) => gzipSync(Buffer.from(text), { level: 9 });

/** A licence file of an npm package: its LICENSE (or LICENCE, COPYING, license.md). */
function licenceText(dir) {
  const name = readdirSync(dir).find((file) => /^(licen[sc]e|copying)(\.md|\.txt)?$/i.test(file));
  if (!name) throw new Error(`${dir}: no licence file to put into the copyright file`);
  return readFileSync(join(dir, name), 'utf8');
}

/** Debian ships the Apache License 2.0 in /usr/share/common-licenses: its full text is referred to, not repeated. */
const APACHE_2_TEXT = /^[ \t]*Apache License[ \t]*\n[ \t]*Version 2\.0, January 2004[\s\S]*?END OF TERMS AND CONDITIONS/gm;
const APACHE_2_POINTER = 'Apache License, Version 2.0: on Debian systems, the full text is in /usr/share/common-licenses/Apache-2.0.';

/** A licence text as a copyright file holds it: every line indented, blank lines as " .". */
const indented = (text) =>
  text
    .replace(APACHE_2_TEXT, APACHE_2_POINTER)
    .trimEnd()
    .split('\n')
    .map((line) => (line.trim() === '' ? ' .' : ` ${line}`))
    .join('\n');

function copyright(node, packages) {
  const own = readFileSync('LICENSE', 'utf8');
  const sections = [
    'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
    'Upstream-Name: cronwrap',
    '',
    'Files: *',
    'Copyright: cronwrap developers',
    'License: MIT',
    indented(own),
    '',
    `Files: ${INSTALLED_BINARY.slice(1)}`,
    `Comment: The executable is Node.js ${node.version} with cronwrap bundled into it. Node.js and the`,
    ' libraries built into it are under the licences below (Node.js LICENSE file). The npm packages bundled',
    ' into cronwrap follow, each with its own licence.',
    'Copyright: Node.js contributors and the authors of the bundled libraries',
    'License: Node.js',
    // Node's LICENSE lists Node's own licence and those of the libraries built into it (V8, OpenSSL, ICU, libuv...).
    indented(readFileSync(node.licence, 'utf8')),
  ];
  for (const name of packages.sort()) {
    const dir = join('node_modules', name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    sections.push('', `Files: ${INSTALLED_BINARY.slice(1)}`, `Comment: the npm package ${name} ${pkg.version}, bundled`, `Copyright: the authors of ${name}`, `License: ${pkg.license} (${name})`, indented(licenceText(dir)));
  }
  return `${sections.join('\n')}\n`;
}

function changelog() {
  const date = BUILT.toUTCString().replace('GMT', '+0000');
  return `cronwrap (${version}) unstable; urgency=medium\n\n  * Release ${version}: see /usr/share/doc/cronwrap/README.md.gz or cronwrap(1).\n\n -- ${MAINTAINER}  ${date}\n`;
}

/** The libraries the executable needs, as dpkg-shlibdeps reads them off it (it wants a debian/control to run). */
function sharedLibraryDepends(executable) {
  const work = mkdtempSync(join(tmpdir(), 'cronwrap-shlibs-'));
  try {
    mkdirSync(join(work, 'debian'));
    writeFileSync(join(work, 'debian', 'control'), 'Source: cronwrap\n\nPackage: cronwrap\nArchitecture: any\n');
    const out = run('dpkg-shlibdeps', ['-O', '--warnings=0', `-e${resolve(executable)}`], { cwd: work });
    return out.replace(/^shlibs:Depends=/, '');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'DEBIAN' ? [] : filesUnder(path);
    return entry.isFile() ? [path] : [];
  });
}

function installedSizeKiB() {
  return filesUnder(ROOT).reduce((sum, file) => sum + Math.ceil(statSync(file).size / 1024), 0);
}

/** The timer of cronwrap's own round (check, and the inventory for Prometheus); its units are the examples'. */
const TIMER = 'cronwrap-check.timer';
const UNITS = ['cronwrap-check.service', TIMER];

// The timer is enabled as Debian's helpers do it (deb-systemd-helper keeps the admin's choice across upgrades
// and works where systemd does not run), and started, stopped and reloaded only where systemd runs.
const POSTINST = `#!/bin/sh
# Enables ${TIMER} (on a first install; an upgrade keeps it as the admin left it) and starts it where
# systemd runs. Where systemd is not PID 1, /etc/cron.d/cronwrap runs the same round.
set -e
if [ "$1" = configure ] || [ "$1" = abort-upgrade ] || [ "$1" = abort-deconfigure ] || [ "$1" = abort-remove ]; then
    if command -v deb-systemd-helper >/dev/null 2>&1; then
        # Takes away only the mask the package's removal made.
        deb-systemd-helper unmask ${TIMER} >/dev/null || true
        if deb-systemd-helper --quiet was-enabled ${TIMER}; then
            deb-systemd-helper enable ${TIMER} >/dev/null || true
        else
            deb-systemd-helper update-state ${TIMER} >/dev/null || true
        fi
    fi
    if [ -d /run/systemd/system ]; then
        systemctl --system daemon-reload >/dev/null || true
        if command -v deb-systemd-invoke >/dev/null 2>&1; then
            deb-systemd-invoke start ${TIMER} >/dev/null || true
        fi
    fi
fi
`;

const PRERM = `#!/bin/sh
# Stops the timer before its units go.
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ] && command -v deb-systemd-invoke >/dev/null 2>&1; then
    deb-systemd-invoke stop ${UNITS.join(' ')} >/dev/null || true
fi
`;

const POSTRM = `#!/bin/sh
# Removing the package keeps the jobs' logs and history; purging it removes cronwrap's state (history,
# alert state, kept alerts) and keeps the jobs' logs, which are the operator's records. The timer is masked
# while the package is removed (its enabling kept for a reinstall) and forgotten when it is purged.
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null || true
fi
if command -v deb-systemd-helper >/dev/null 2>&1; then
    if [ "$1" = remove ]; then
        deb-systemd-helper mask ${TIMER} >/dev/null || true
    elif [ "$1" = purge ]; then
        deb-systemd-helper purge ${TIMER} >/dev/null || true
        deb-systemd-helper unmask ${TIMER} >/dev/null || true
    fi
fi
if [ "$1" = purge ]; then
    rm -rf /var/lib/cronwrap
    rmdir --ignore-fail-on-non-empty /var/log/cronwrap 2>/dev/null || true
fi
`;

const arch = run('dpkg', ['--print-architecture']);
rmSync(ROOT, { recursive: true, force: true });
const { manPage, bashCompletion, defaultConfig, INSTALLED_BINARY } = await generators();
const executable = join(ROOT, INSTALLED_BINARY);
mkdirSync(dirname(executable), { recursive: true, mode: 0o755 });
const { runtime, packages } = await buildExecutable(executable, 'deb');
const today = BUILT.toISOString().slice(0, 10);
put('usr/share/man/man1/cronwrap.1.gz', gzip(manPage(version, today)));
put('usr/share/bash-completion/completions/cronwrap', bashCompletion());
put('etc/cronwrap/cronwrap.toml', defaultConfig(), 0o644);
put('etc/logrotate.d/cronwrap', readFileSync('examples/logrotate/cronwrap'));
for (const unit of UNITS) put(`lib/systemd/system/${unit}`, readFileSync(`examples/systemd/${unit}`));
put('etc/cron.d/cronwrap', readFileSync('examples/cron.d/cronwrap'));
put('usr/share/doc/cronwrap/copyright', copyright(runtime, packages));
put('usr/share/doc/cronwrap/changelog.gz', gzip(changelog()));
put('usr/share/doc/cronwrap/README.md.gz', gzip(readFileSync('README.md', 'utf8')));
// The fleet's side (Prometheus rules and their tests, Alertmanager, Grafana), which the README tells an operator to load.
for (const dir of ['prometheus', 'alertmanager', 'grafana']) {
  for (const name of readdirSync(join('examples', dir))) put(`usr/share/doc/cronwrap/examples/${dir}/${name}`, readFileSync(join('examples', dir, name)));
}
// Node's single executable is self-contained: the libraries lintian finds in it are Node's own, built in.
put('usr/share/lintian/overrides/cronwrap', readFileSync('packaging/lintian-overrides', 'utf8'));
for (const [dir, mode] of [['var/log/cronwrap', 0o750], ['var/lib/cronwrap', 0o700]]) {
  mkdirSync(join(ROOT, dir), { recursive: true });
  chmodSync(join(ROOT, dir), mode);
}

const control = [
  `Package: cronwrap`,
  `Version: ${version}`,
  `Architecture: ${arch}`,
  `Maintainer: ${MAINTAINER}`,
  `Installed-Size: ${installedSizeKiB()}`,
  `Depends: ${sharedLibraryDepends(executable)}`,
  'Recommends: logrotate',
  'Section: admin',
  'Priority: optional',
  'Homepage: https://github.com/cronwrap/cronwrap',
  'Description: run cron jobs with timestamped logs and alerts when they fail',
  ' cronwrap runs a command from cron, timestamps every line of its output into a',
  " log, keeps the command's exit status, and tells people when it fails: cron's",
  ' mail, e-mail, PagerDuty, webhooks or health-check pings, by a policy. It also',
  ' stops jobs that run too long (with their whole process group), keeps one run',
  ' at a time, records run history, writes metrics for Prometheus, heals known',
  ' failures and shows a live view of every job.',
  ' .',
  ' This package holds a single executable with its own Node.js runtime: no',
  ' Node.js installation is needed.',
  '',
].join('\n');
put('DEBIAN/control', control);
put('DEBIAN/conffiles', '/etc/cronwrap/cronwrap.toml\n/etc/logrotate.d/cronwrap\n/etc/cron.d/cronwrap\n');
put('DEBIAN/postinst', POSTINST, 0o755);
put('DEBIAN/prerm', PRERM, 0o755);
put('DEBIAN/postrm', POSTRM, 0o755);
const sums = filesUnder(ROOT).map((file) => `${createHash('md5').update(readFileSync(file)).digest('hex')}  ${relative(ROOT, file)}`);
put('DEBIAN/md5sums', `${sums.join('\n')}\n`);

const deb = `release/cronwrap_${version}_${arch}.deb`;
// xz at its default level takes a minute for Node's binary; `--quick` (the package test) packs the same files
// at level 1 in a fifth of that, 17 % bigger.
const level = process.argv.includes('--quick') ? '-z1' : '-z6';
run('dpkg-deb', ['--root-owner-group', '-Zxz', level, '--build', ROOT, deb]);
console.log(`${deb}: ${(statSync(deb).size / 1e6).toFixed(1)} MB; install with apt install ./${deb}`);
