import { execFileSync } from 'node:child_process';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach } from 'vitest';
import { tempDir } from './cronwrap.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A port on 127.0.0.1 where nothing listens (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  user: string | undefined;
}

/** A self-signed certificate for 127.0.0.1, made with openssl, and its files. */
export function selfSignedCertificate(): { key: string; cert: string; certFile: string; keyFile: string } {
  const dir = tempDir();
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' });
  return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
}

/** A real SMTP server (the smtp-server package) on 127.0.0.1, port 0, keeping what it receives. */
export async function startSmtp(options: Partial<SMTPServerOptions> & { users?: Record<string, string>; refuseData?: () => Error | undefined } = {}) {
  const mails: ReceivedMail[] = [];
  const authAttempts: string[] = [];
  const { users, refuseData, ...rest } = options;
  const server = new SMTPServer({
    // Without a certificate of its own, the server offers no STARTTLS (its built-in one is not trusted).
    disabledCommands: [...(users ? [] : ['AUTH']), ...(rest.key ? [] : ['STARTTLS'])],
    authOptional: !users,
    logger: false,
    ...rest,
    onAuth(auth, _session, callback) {
      authAttempts.push(auth.username ?? '');
      if (users && auth.username && users[auth.username] === auth.password) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        // Over `size` with `rejectOversized`: the server answers 552, the message is not received.
        if (stream.sizeExceeded && rest.rejectOversized) return callback();
        // `refuseData`: the answer to the message (an error with a responseCode), for a server that defers it.
        const refused = refuseData?.();
        if (refused) return callback(refused);
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: session.user as string | undefined,
        });
        callback();
      });
    },
  });
  // A client that refuses the certificate drops the connection mid-handshake: expected, not a failure.
  const errors: Error[] = [];
  server.on('error', (error) => errors.push(error));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { port, mails, authAttempts, errors };
}

/** A TCP server that accepts connections and never says a word (an SMTP server that never greets). */
export async function startSilentServer(): Promise<number> {
  const sockets: Socket[] = [];
  const server = createNetServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP server on 127.0.0.1 (HTTPS with `tls`); `respond` answers each request (it may never answer, to hang). */
export async function startHttp(respond: (request: ReceivedRequest, res: ServerResponse, index: number) => void = (_r, res) => res.end('ok'), tls?: { key: string; cert: string }) {
  const requests: ReceivedRequest[] = [];
  const open = new Set<ServerResponse>();
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      open.add(res);
      res.on('close', () => open.delete(res));
      respond(request, res, requests.length - 1);
    });
  };
  const server = tls ? createHttpsServer(tls, handle) : createHttpServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, requests };
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'];

/**
 * Answers like the PagerDuty Events API v2 (/v2/enqueue): 202 for a valid event, 400 with the errors for
 * an invalid one. `script` can override the answer to the n-th request (429, 500, 'hang', or a status with
 * a Retry-After header, as the API's rate limit answers).
 */
export function pagerDutyAnswer(script: Record<number, number | 'hang' | { status: number; retryAfter: string }> = {}) {
  return (request: ReceivedRequest, res: ServerResponse, index: number) => {
    const scripted = script[index];
    if (scripted === 'hang') return;
    if (scripted !== undefined) {
      const { status, retryAfter } = typeof scripted === 'number' ? { status: scripted, retryAfter: undefined } : scripted;
      res.writeHead(status, { 'content-type': 'application/json', ...(retryAfter ? { 'retry-after': retryAfter } : {}) }).end(JSON.stringify({ status: 'throttled or failed' }));
      return;
    }
    const errors: string[] = [];
    let event: Record<string, any> = {};
    try {
      event = JSON.parse(request.body) as Record<string, any>;
    } catch {
      errors.push('body is not JSON');
    }
    if (request.headers['content-type'] !== 'application/json') errors.push('content-type must be application/json');
    if (typeof event.routing_key !== 'string' || event.routing_key.length !== 32) errors.push("'routing_key' must be a 32 character integration key");
    if (!['trigger', 'acknowledge', 'resolve'].includes(event.event_action)) errors.push("'event_action' is invalid");
    if (event.dedup_key !== undefined && (typeof event.dedup_key !== 'string' || event.dedup_key.length > 255)) errors.push("'dedup_key' is invalid");
    if (event.event_action === 'trigger') {
      const p = event.payload ?? {};
      if (typeof p.summary !== 'string' || p.summary.length === 0 || p.summary.length > 1024) errors.push("'payload.summary' is missing or too long");
      if (typeof p.source !== 'string' || !p.source) errors.push("'payload.source' is missing");
      if (!SEVERITIES.includes(p.severity)) errors.push("'payload.severity' is invalid");
    } else if (!event.dedup_key) errors.push("'dedup_key' is required to resolve");
    if (Buffer.byteLength(request.body) > 512 * 1024) errors.push('event too large');
    if (errors.length > 0) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors }));
      return;
    }
    res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: event.dedup_key }));
  };
}
