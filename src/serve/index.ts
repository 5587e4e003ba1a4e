import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readSecret } from '../config/secrets.js';
import type { Listen } from '../config/value-types.js';
import { errorCode, EXIT_USAGE } from '../errors.js';
import type { Io } from '../io.js';
import { print, warn } from '../output/console.js';
import { Interruptions } from '../run/interruptions.js';
import { isLoopback } from './access.js';
import { JobBoard } from './job-board.js';
import { handler, type Site } from './server.js';

export interface ServeOptions {
  listen: Listen;
  stateDir: string;
  /** Where the crontabs are read (the job list includes jobs a crontab runs under cronwrap). */
  cronRoot: string;
  defaultLog: (job: string) => string;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
}

const TOKEN_VARIABLE = 'CRONWRAP_SERVE_TOKEN_FILE';
const MIN_TOKEN_LENGTH = 16;

/** The token from CRONWRAP_SERVE_TOKEN_FILE; required unless the server listens on loopback only. */
function serveToken(listen: Listen, io: Io): string | undefined {
  const secret = readSecret(undefined, io.env[TOKEN_VARIABLE], TOKEN_VARIABLE);
  if ('error' in secret) throw new ServeError(secret.error);
  const token = secret.value;
  if (token === undefined && !isLoopback(listen.host)) {
    throw new ServeError(
      `serve: ${listen.host} can be reached from other hosts, so the server needs a token: put one in a file only root can read and name it in ${TOKEN_VARIABLE} (e.g. openssl rand -hex 24 > /etc/cronwrap/serve.token), or listen on 127.0.0.1 behind a proxy`,
    );
  }
  if (token !== undefined && (token.length < MIN_TOKEN_LENGTH || /\s/.test(token))) {
    throw new ServeError(`${TOKEN_VARIABLE}: the token must be at least ${MIN_TOKEN_LENGTH} characters with no spaces (e.g. openssl rand -hex 24)`);
  }
  return token;
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
  let server: Server;
  let token: string | undefined;
  const secure = options.tlsCert !== undefined;
  try {
    token = serveToken(options.listen, io);
    const board = new JobBoard(options.stateDir, options.cronRoot, (line) => warn(io.stderr, line));
    board.rows(io.now()); // reads every history once now, so the first page does not wait for it
    server = createServer(options, { stateDir: options.stateDir, board, defaultLog: options.defaultLog, token, secure, host: io.host, now: io.now });
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
  const access = token === undefined ? 'no token: this host only' : `token required: open it once as /?token=<the token in ${io.env[TOKEN_VARIABLE]}>`;
  print(io.stdout, `cronwrap serve: ${secure ? 'https' : 'http'}://${host}:${port}/ (state ${options.stateDir}; ${access})\n`);
  const interruptions = new Interruptions();
  try {
    await new Promise<void>((resolve) => interruptions.subscribe(() => resolve()));
  } finally {
    interruptions.dispose();
  }
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return 0;
}
