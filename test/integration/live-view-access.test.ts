import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cronwrap, FIXTURES, sandbox, waitFor, type Sandbox } from '../helpers/cronwrap.js';
import { has } from '../helpers/daemons.js';
import { openTail, startServe, type Serving } from '../helpers/serve.js';

// Issue 23, item 13: the live view showed root's jobs' output to every local user, since loopback is open to
// all of them. Now every request needs the token, the configured one or serve's own in the state directory.
const NOBODY = 65534;
const SECRET = 'PGPASSWORD=hunter2-of-root';
const asRoot = process.getuid?.() === 0 || process.env.CI ? describe : describe.skip;
const withFaketime = has('faketime') || process.env.CI ? it : it.skip;

const running: { kill(signal: 'SIGTERM'): unknown; catch(onRejected: () => undefined): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const child of running.splice(0)) {
    child.kill('SIGTERM');
    await child.catch(() => undefined);
  }
});

async function serve(box: Sandbox, env?: Record<string, string>): Promise<Serving> {
  const server = await startServe(box, undefined, env);
  running.push(server.child);
  return server;
}

async function stop(server: Serving): Promise<void> {
  // Served once, it has its signal handlers (set just after it prints its address): SIGTERM ends it, exit 0.
  expect((await get(`${server.url}/favicon.ico`, { authorization: `Bearer ${server.token}` })).status).toBe(204);
  server.child.kill('SIGTERM');
  const ended = await server.child;
  expect(ended.exitCode, `${ended.signal} ${text(ended.stderr)}`).toBe(0);
}

function text(output: unknown): string {
  return Buffer.from(output as Uint8Array).toString('utf8');
}

/** A job of root's that prints a secret; the id of its run. */
async function secretJob(box: Sandbox): Promise<string> {
  expect((await cronwrap(['--name', 'db-dump', '-c', `echo "${SECRET}"`], box)).exitCode).toBe(0);
  const history = readFileSync(join(box.stateDir, 'history', 'db-dump.jsonl'), 'utf8');
  return (JSON.parse(history.trim().split('\n').at(-1)!) as { run: string }).run;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A GET with exactly these headers (node:http: the helper's fetch adds nothing here); a stream that opens is read for a second. */
function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const asked = request(url, { headers }, (response) => {
      let body = '';
      const done = () => {
        clearTimeout(timer);
        asked.destroy();
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
      };
      const timer = setTimeout(done, 1000);
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', done);
    });
    asked.on('error', reject).end();
  });
}

/** Signs a browser in with the `?token=` link: the cookie it gets, `name=value`, and the whole Set-Cookie. */
async function signIn(url: string, token: string, headers: Record<string, string> = {}): Promise<{ pair: string; setCookie: string }> {
  const answer = await get(`${url}/jobs/db-dump?token=${token}`, headers);
  expect(answer.status).toBe(303);
  expect(answer.headers.location).toBe('/jobs/db-dump');
  const setCookie = answer.headers['set-cookie']?.[0] ?? '';
  return { pair: setCookie.split(';')[0]!, setCookie };
}

function tokenFile(box: Sandbox): string {
  return join(box.stateDir, 'serve-token');
}

describe('cronwrap serve with no token configured', () => {
  it('answers 401 on every route, whatever the Host, to a request without its token, and serves one with it', async () => {
    const box = sandbox();
    const run = await secretJob(box);
    const server = await serve(box);
    const port = new URL(server.url).port;
    const routes = ['/', '/jobs/db-dump', '/api/jobs', '/api/jobs/db-dump/runs', `/api/jobs/db-dump/runs/${run}/log`, '/api/jobs/db-dump/tail', '/assets/app.js', '/favicon.ico', '/nowhere'];
    const strangers = [
      {},
      { host: `localhost:${port}` },
      { host: 'evil.example.com' },
      { authorization: 'Bearer not-the-token-but-long-enough' },
      { authorization: `Bearer ${server.token}x` },
      { cookie: `cronwrap_${port}=${server.token}` }, // the cookie is a pass, never the token itself
      { cookie: `cronwrap_token=${server.token}` }, // the old cookie
    ];
    for (const route of routes) {
      for (const headers of strangers) {
        const answer = await get(`${server.url}${route}`, headers);
        expect(answer.status, `${route} ${JSON.stringify(headers)}`).toBe(401);
        expect(answer.headers['www-authenticate']).toBe('Bearer realm="cronwrap"');
        expect(answer.body).not.toContain('hunter2');
      }
    }
    for (const query of ['?token=', '?token=wrong', `?token=${server.token.slice(0, -1)}`]) expect((await get(`${server.url}/${query}`)).status, query).toBe(401);

    const bearer = { authorization: `Bearer ${server.token}` };
    for (const route of routes) expect((await get(`${server.url}${route}`, bearer)).status, route).toBe(route === '/nowhere' ? 404 : route === '/favicon.ico' ? 204 : 200);
    expect((await get(`${server.url}/api/jobs/db-dump/runs/${run}/log`, bearer)).body).toContain('hunter2');
    expect((await get(`${server.url}/api/jobs/db-dump/tail`, bearer)).body).toContain('hunter2');
    // A sign-in link never sends the browser to another host (`//host` is a link to it).
    for (const path of ['//evil.example.com/x', '///evil.example.com']) {
      const answer = await get(`${server.url}${path}?token=${server.token}`);
      expect(answer.status, path).toBe(303);
      expect(answer.headers.location, path).toMatch(/^\/(?!\/)/);
    }

    // Not a terminal: it says where the token is, never the token.
    expect(server.child.stdoutText()).toContain(`token required, in ${tokenFile(box)}: open ${server.url}/?token=<the token> once in a browser`);
    await stop(server);
    const ended = await server.child;
    expect(`${text(ended.stdout)}${text(ended.stderr)}`).not.toContain(server.token);
  });

  it('keeps its token in <state>/serve-token, 0600 and the serving user\'s, and uses it again after a restart', async () => {
    const box = sandbox();
    await secretJob(box);
    const first = await serve(box);
    const stats = statSync(tokenFile(box));
    expect(stats.isFile()).toBe(true);
    expect(stats.mode & 0o777).toBe(0o600);
    expect(stats.uid).toBe(process.getuid!());
    expect(readFileSync(tokenFile(box), 'utf8')).toMatch(/^[0-9a-f]{48}\n$/);
    expect(first.token).toMatch(/^[0-9a-f]{48}$/);
    await stop(first);

    const second = await serve(box);
    expect(second.token).toBe(first.token);
    expect(statSync(tokenFile(box)).ino).toBe(stats.ino); // the same file, not made again
    expect((await get(`${second.url}/api/jobs`, { authorization: `Bearer ${first.token}` })).status).toBe(200);
  });

  it('on a terminal, prints the address to open with the token in it', async () => {
    const box = sandbox();
    const command = `timeout -s TERM 4 '${BIN}' serve --listen 127.0.0.1:0`;
    const result = await execa('script', ['--quiet', '--return', '--command', command, '/dev/null'], { env: box.env, extendEnv: false, reject: false, stdin: 'ignore' });
    const token = readFileSync(tokenFile(box), 'utf8').trim();
    expect(result.stdout).toMatch(new RegExp(`^cronwrap serve: open http://127\\.0\\.0\\.1:\\d+/\\?token=${token}$`, 'm'));
  });

  it.each([
    ['readable by every user', 0o644, /could be used by other users \(mode 644\)/],
    ['readable by its group', 0o640, /could be used by other users \(mode 640\)/],
    ['writable by its group', 0o620, /could be used by other users \(mode 620\)/],
  ])('replaces a token file %s with a new token, and says so without either token', async (_what, mode, reason) => {
    const box = sandbox();
    const known = 'a'.repeat(48);
    mkdirSync(box.stateDir, { mode: 0o700 });
    writeFileSync(tokenFile(box), `${known}\n`);
    chmodSync(tokenFile(box), mode);
    const server = await serve(box);
    expect(server.token).not.toBe(known);
    expect(statSync(tokenFile(box)).mode & 0o777).toBe(0o600);
    expect((await get(`${server.url}/api/jobs`, { authorization: `Bearer ${known}` })).status).toBe(401);
    expect((await get(`${server.url}/api/jobs`, { authorization: `Bearer ${server.token}` })).status).toBe(200);
    await stop(server);
    const stderr = text((await server.child).stderr);
    expect(stderr).toMatch(reason);
    expect(stderr).toContain('so its token may be known: replaced it with a new one');
    expect(stderr).not.toContain(known);
    expect(stderr).not.toContain(server.token);
  });

  it('replaces a token file that holds no token (a start cut short)', async () => {
    const box = sandbox();
    mkdirSync(box.stateDir, { mode: 0o700 });
    writeFileSync(tokenFile(box), '', { mode: 0o600 });
    const server = await serve(box);
    expect(server.token).toMatch(/^[0-9a-f]{48}$/);
    await stop(server);
    expect(text((await server.child).stderr)).toContain(`${tokenFile(box)} holds no token, so its token may be known`);
  });

  it('refuses a symlink or a directory at the token file: exit 125, nothing written through it', async () => {
    const box = sandbox();
    mkdirSync(box.stateDir, { mode: 0o700 });
    const target = join(box.dir, 'precious');
    writeFileSync(target, 'precious\n', { mode: 0o600 });
    symlinkSync(target, tokenFile(box));
    const linked = await cronwrap(['serve', '--listen', '127.0.0.1:0'], box);
    expect(linked.exitCode).toBe(125);
    expect(linked.stderr.toString()).toBe(`cronwrap: serve: no token: ${tokenFile(box)} is a symbolic link; remove it\n`);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(lstatSync(tokenFile(box)).isSymbolicLink()).toBe(true);

    const other = sandbox();
    mkdirSync(tokenFile(other), { recursive: true });
    const directory = await cronwrap(['serve', '--listen', '127.0.0.1:0'], other);
    expect(directory.exitCode).toBe(125);
    expect(directory.stderr.toString()).toContain(`${tokenFile(other)} is not a regular file; remove it`);
  });

  it('with CRONWRAP_SERVE_TOKEN_FILE, uses that token and makes none of its own; any address takes the token', async () => {
    const box = sandbox();
    const file = join(box.dir, 'serve.token');
    writeFileSync(file, `${'b'.repeat(40)}\n`, { mode: 0o600 });
    const server = await serve(box, { CRONWRAP_SERVE_TOKEN_FILE: file });
    expect(server.token).toBe('b'.repeat(40));
    expect(() => statSync(tokenFile(box))).toThrow(/ENOENT/);
    expect((await get(`${server.url}/api/jobs`)).status).toBe(401);
    expect((await get(`${server.url}/api/jobs`, { authorization: `Bearer ${'b'.repeat(40)}` })).status).toBe(200);
    // Beyond loopback it starts with its own token too: every address needs the token now.
    const wide = await startServe(box, ['--listen', '0.0.0.0:0']);
    running.push(wide.child);
    expect((await get(`${wide.url.replace('0.0.0.0', '127.0.0.1')}/api/jobs`)).status).toBe(401);
  });
});

describe('cronwrap serve stopped', () => {
  it('by a SIGTERM sent as soon as it printed its address: exit 0, every time', async () => {
    const box = sandbox();
    // The signal lands in the moment after the address is printed; a few tries make a missed handler show.
    for (let i = 0; i < 5; i++) {
      const { child } = await startServe(box);
      child.kill('SIGTERM');
      const ended = await child;
      expect([ended.exitCode, ended.signal]).toEqual([0, undefined]);
    }
  });
});

describe("a browser's pass", () => {
  it('is a cookie named for the port it was asked for, HttpOnly and SameSite=Strict, that never holds the token', async () => {
    const box = sandbox();
    await secretJob(box);
    const server = await serve(box);
    const port = new URL(server.url).port;
    const { pair, setCookie } = await signIn(server.url, server.token);
    expect(setCookie).toMatch(new RegExp(`^cronwrap_${port}=[^;]+; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict$`));
    expect(setCookie).not.toContain(server.token);
    expect((await get(`${server.url}/api/jobs`, { cookie: pair })).status).toBe(200);
    expect((await get(`${server.url}/api/jobs`, { cookie: `other=1; ${pair}; more=2` })).status).toBe(200);
    // Asked through another port (another tunnel) the browser's cookie for this one is not read.
    expect((await get(`${server.url}/api/jobs`, { cookie: pair, host: '127.0.0.1:9999' })).status).toBe(401);
    const [name, pass] = pair.split('=') as [string, string];
    expect((await get(`${server.url}/api/jobs`, { cookie: `cronwrap_token=${pass}` })).status).toBe(401);
    expect((await get(`${server.url}/api/jobs`, { cookie: `${name}=${pass.slice(0, -2)}xx` })).status).toBe(401);
    // Another host's view (another token) tunnelled to another port: its pass is worth nothing here.
    const elsewhere = await serve(sandbox());
    const theirs = (await signIn(elsewhere.url, elsewhere.token)).pair.split('=')[1]!;
    expect((await get(`${server.url}/api/jobs`, { cookie: `${name}=${theirs}` })).status).toBe(401);
  });

  withFaketime('lapses 12 hours after its last use, and is renewed while the page is open', async () => {
    const box = sandbox();
    await secretJob(box);
    const server = await serve(box);
    const { pair } = await signIn(server.url, server.token, { host: '127.0.0.1:8089' });
    // The same state directory (the same token), with the clock moved on.
    const shifted = async (shift: string) => {
      const child = execa('faketime', ['-f', shift, BIN, 'serve', '--listen', '127.0.0.1:0'], { env: { ...box.env, FAKETIME_DONT_FAKE_MONOTONIC: '1' }, extendEnv: false, reject: false, stdin: 'ignore' });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      await waitFor(() => /http:\/\/\S+\/ /.test(out));
      // faketime runs the server as its child and passes no signal on: the server is stopped, then faketime
      // ends by itself (and removes its shared memory).
      const server = Number(execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).trim());
      running.push({ kill: (signal) => process.kill(server, signal), catch: (handler) => child.catch(handler) });
      return /(http:\/\/\S+)\//.exec(out)![1]!;
    };
    const asked = { host: '127.0.0.1:8089' };
    const soon = await shifted('+2h');
    const early = await get(`${soon}/api/jobs`, { ...asked, cookie: pair });
    expect(early.status).toBe(200);
    expect(early.headers['set-cookie']).toBeUndefined();
    const later = await shifted('+7h');
    const renewing = await get(`${later}/api/jobs`, { ...asked, cookie: pair });
    expect(renewing.status).toBe(200);
    const renewed = renewing.headers['set-cookie']?.[0]?.split(';')[0] ?? '';
    expect(renewed).toMatch(/^cronwrap_8089=/);
    expect(renewed).not.toBe(pair);
    const lapsed = await shifted('+13h');
    expect((await get(`${lapsed}/api/jobs`, { ...asked, cookie: pair })).status).toBe(401);
    expect((await get(`${lapsed}/api/jobs`, { ...asked, cookie: renewed })).status).toBe(200);
  });
});

describe('live tails per client', () => {
  it('lets one client hold 8 live tails, not all 64; another client still gets one, and a closed one is given back', async () => {
    const box = sandbox();
    await secretJob(box);
    const server = await serve(box);
    const url = `${server.url}/api/jobs/db-dump/tail?lines=1`;
    const tails = [];
    for (let i = 0; i < 8; i++) {
      const tail = await openTail(url);
      tails.push(tail);
      expect(tail.response.status).toBe(200);
    }
    const ninth = await openTail(url);
    expect(ninth.response.status).toBe(429);
    await ninth.close();
    const refused = await get(url, { authorization: `Bearer ${server.token}` });
    expect(refused.status).toBe(429);
    expect(refused.body).toBe('you already have 8 live tails open; close one\n');
    const browser = await signIn(server.url, server.token);
    const theirs = await openTail(url, { cookie: browser.pair });
    expect(theirs.response.status).toBe(200);
    await waitFor(() => theirs.texts().some((text) => text.startsWith('end job=db-dump')));

    await tails.shift()!.close();
    // The server hears of the close a moment later.
    let again = await openTail(url);
    for (const deadline = Date.now() + 10_000; again.response.status === 429 && Date.now() < deadline; again = await openTail(url)) {
      await again.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(again.response.status).toBe(200);
    for (const tail of [...tails, again, theirs]) await tail.close();
  });
});

asRoot('another local user (nobody) against root\'s live view', () => {
  it("gets none of root's jobs' output from any route with anything they can make up, and cannot read the token", async () => {
    const box = sandbox();
    const run = await secretJob(box);
    const server = await serve(box);
    // Only the token file's own mode keeps it from nobody: every directory above lets every user through,
    // as the file beside it shows.
    chmodSync(box.dir, 0o755);
    chmodSync(box.stateDir, 0o755);
    const beside = join(box.stateDir, 'readable');
    writeFileSync(beside, 'anyone\n');
    chmodSync(beside, 0o644);
    const probe = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, join(FIXTURES, 'live-view-probe.mjs'), server.url, run, tokenFile(box), beside], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      extendEnv: false,
      reject: false,
    });
    expect(probe.exitCode, probe.stderr).toBe(0);
    const seen = JSON.parse(probe.stdout) as { uid: number; answers: { path: string; headers: object; status: number; body: string }[]; token: string; other: string; ps: string };
    expect(seen.uid).toBe(NOBODY);
    expect(seen.answers.length).toBeGreaterThan(30);
    for (const answer of seen.answers) {
      expect(answer.status, `${answer.path} ${JSON.stringify(answer.headers)}`).toBe(401);
      expect(answer.body).not.toContain('hunter2');
    }
    expect(seen.token).toBe('EACCES');
    expect(seen.other).toBe('anyone\n');
    expect(seen.ps).toContain('serve --listen 127.0.0.1:0'); // nobody sees the server's arguments, and no token in them
    expect(seen.ps).not.toContain(server.token);
  });

  it('replaces a token file another user owns (they know its token), even 0600', async () => {
    const box = sandbox();
    const known = 'c'.repeat(48);
    mkdirSync(box.stateDir, { mode: 0o700 });
    writeFileSync(tokenFile(box), `${known}\n`, { mode: 0o600 });
    chownSync(tokenFile(box), NOBODY, NOBODY);
    const server = await serve(box);
    expect(server.token).not.toBe(known);
    expect(statSync(tokenFile(box))).toMatchObject({ uid: 0, mode: 0o100600 });
    expect((await get(`${server.url}/api/jobs`, { authorization: `Bearer ${known}` })).status).toBe(401);
    await stop(server);
    expect(text((await server.child).stderr)).toContain(`${tokenFile(box)} is owned by nobody (uid 65534), so its token may be known: replaced it with a new one`);
  });
});
