import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readSecret } from '../util/secret-file.js';
import type { Listen } from '../config/value-types.js';
import { errorCode, EXIT_USAGE } from '../errors.js';
import type { Io } from '../io.js';
import { print, warn } from '../output/console.js';
import { Interruptions } from '../process/interruptions.js';
import { tokenProblem } from './access.js';
import type { Viewer } from '../jobs/own-lines.js';
import { JobBoard } from './job-board.js';
import { handler, type Site } from './server.js';
import { stateToken, tokenFilePath } from './token-file.js';

export interface ServeOptions {
  listen: Listen;
  stateDir: string;
  /** Where the crontabs are read (the job list includes jobs a crontab runs under cronwrap). */
  cronRoot: string;
  /** Whose crontab lines are the jobs shown (jobs/own-lines.ts). */
  viewer: Viewer;
  defaultLog: (job: string) => string;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
}

const TOKEN_VARIABLE = 'CRONWRAP_SERVE_TOKEN_FILE';

/** The token every request needs, and the file it is in: the one CRONWRAP_SERVE_TOKEN_FILE names, else serve's own in the state directory. */
function serveToken(stateDir: string, io: Io): { token: string; file: string } {
  const configured = io.env[TOKEN_VARIABLE];
  if (configured) {
    const secret = readSecret(undefined, configured, TOKEN_VARIABLE);
    if ('error' in secret) throw new ServeError(secret.error);
    const token = secret.value ?? '';
    const problem = tokenProblem(token);
    if (problem) throw new ServeError(`${TOKEN_VARIABLE}: ${problem}`);
    return { token, file: configured };
  }
  const own = stateToken(stateDir);
  if ('error' in own) throw new ServeError(`serve: no token: ${own.error}`);
  if (own.replaced) print(io.stderr, `cronwrap: serve: ${own.replaced}, so its token may be known: replaced it with a new one\n`);
  return { token: own.token, file: tokenFilePath(stateDir) };
}

/** A problem that stops the server from starting: said on stderr, exit 125. */
class ServeError extends Error {}

// Static imports: this module is loaded only by `cronwrap serve` (dist/serve.cjs, or on first use in the single
// file), and a single executable's code cache cannot run import().
function createServer(options: ServeOptions, site: Site): Server {
  const onRequest = handler(site);
  if (options.tlsCert === undefined && options.tlsKey === undefined) return createHttpServer(onRequest);
  if (options.tlsCert === undefined || options.tlsKey === undefined) throw new ServeError('serve: give both --tls-cert and --tls-key, or neither');
  const key = readSecret(undefined, options.tlsKey, '--tls-key');
  if ('error' in key) throw new ServeError(key.error);
  let cert: string;
  try {
    cert = readFileSync(options.tlsCert, 'utf8');
  } catch (error) {
    throw new ServeError(`--tls-cert: cannot read ${options.tlsCert}: ${errorCode(error)}`);
  }
  try {
    return createHttpsServer({ cert, key: key.value }, onRequest);
  } catch (error) {
    throw new ServeError(`--tls-cert/--tls-key: not a certificate and its key: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function listen(server: Server, where: Listen): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(where.port, where.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** `cronwrap serve`: the live view and its JSON API, until SIGTERM or SIGINT (then exit 0). */
export async function runServe(options: ServeOptions, io: Io): Promise<number> {
  // Caught from the start: a SIGTERM sent as soon as the address is printed stops the server cleanly.
  const interruptions = new Interruptions();
  try {
    return await serveUntilStopped(options, io, interruptions);
  } finally {
    interruptions.dispose();
  }
}

async function serveUntilStopped(options: ServeOptions, io: Io, interruptions: Interruptions): Promise<number> {
  let server: Server;
  let token: { token: string; file: string };
  const secure = options.tlsCert !== undefined;
  try {
    token = serveToken(options.stateDir, io);
    const board = new JobBoard(options.stateDir, options.cronRoot, options.viewer, (line) => warn(io.stderr, line));
    board.rows(io.now()); // reads every history once now, so the first page does not wait for it
    server = createServer(options, { stateDir: options.stateDir, board, defaultLog: options.defaultLog, token: token.token, secure, host: io.host, now: io.now });
    await listen(server, options.listen);
  } catch (error) {
    if (error instanceof ServeError) {
      print(io.stderr, `cronwrap: ${error.message}\n`);
      return EXIT_USAGE;
    }
    const code = errorCode(error);
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      print(io.stderr, `cronwrap: serve: cannot listen on ${options.listen.host}:${options.listen.port}: ${code}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.listen.port;
  const host = options.listen.host.includes(':') ? `[${options.listen.host}]` : options.listen.host;
  const origin = `${secure ? 'https' : 'http'}://${host}:${port}`;
  print(io.stdout, `cronwrap serve: ${origin}/ (state ${options.stateDir}; token required, in ${token.file}: open ${origin}/?token=<the token> once in a browser, or send "Authorization: Bearer <the token>")\n`);
  // A terminal is the operator's own; a pipe or the journal (readable by the adm group) gets the file's name only.
  if (io.stdoutIsTTY) print(io.stdout, `cronwrap serve: open ${origin}/?token=${encodeURIComponent(token.token)}\n`);
  await new Promise<void>((resolve) => {
    if (interruptions.received) resolve();
    else interruptions.subscribe(() => resolve());
  });
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return 0;
}
