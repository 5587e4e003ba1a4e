import type { IncomingMessage, ServerResponse } from 'node:http';
import { resultOf } from '../jobs/job-summary.js';
import { jobLogPath } from '../jobs/job-log.js';
import { UsageError } from '../errors.js';
import { historySignature, readNewestRuns, verdictOf, visitRunsNewestFirst, type RunRecord } from '../state/history.js';
import { parseJobName, type JobName } from '../util/job-name.js';
import { admission } from './access.js';
import { ASSETS } from './assets.js';
import type { JobBoard } from './job-board.js';
import { streamLog } from './live-tail.js';
import { runSection } from './run-log.js';
import { TailSlots } from './tail-slots.js';

/** What the request handler needs: where to read, whom to let in, and the page's frame. */
export interface Site {
  stateDir: string;
  board: JobBoard;
  /** Where a job logs when its history does not say (it has not run yet). */
  defaultLog: (job: string) => string;
  /** Required from every client, whatever the address: loopback is open to every local user. */
  token: string;
  secure: boolean;
  host: string;
  now: () => number;
}

/** A run as `/api/jobs/<name>/runs` gives it: the history record and its result in words, as `status` says it. */
export interface ShownRun extends RunRecord {
  /** The result in words, as `status` shows it. */
  result: string;
  /** It counted as failed (after --ok-exit, --warn-exit, --stderr-fails and healing). */
  failed: boolean;
}

const MAX_RUNS = 10_000;

// No inline script or style anywhere: the page's code and look come from /assets only.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const JOB_PAGE = /^\/jobs\/([^/]+)$/;
const API_JOB = /^\/api\/jobs\/([^/]+)\/(runs|tail)$/;
const API_RUN_LOG = /^\/api\/jobs\/([^/]+)\/runs\/([0-9a-f]{1,32})\/log$/;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...headers });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

function sendJson(response: ServerResponse, value: unknown, headers: Record<string, string> = {}): void {
  send(response, 200, 'application/json; charset=utf-8', JSON.stringify(value), headers);
}

/** A run of the job, looked up from the end of its history, where the runs a page links to are. */
function findRun(stateDir: string, job: string, run: string): RunRecord | undefined {
  let found: RunRecord | undefined;
  visitRunsNewestFirst(stateDir, job, (candidate) => {
    if (candidate.run === run) found = candidate;
    return found === undefined;
  });
  return found;
}

function sendText(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  send(response, status, 'text/plain; charset=utf-8', `${text}\n`, headers);
}

function pageShell(host: string): string {
  const title = `cronwrap · ${escapeHtml(host)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><link rel="stylesheet" href="/assets/uplot.css"><link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js" defer></script></head>
<body><header><a href="/">cronwrap</a><span class="host">${escapeHtml(host)}</span></header>
<main id="app"><p>Loading…</p></main><noscript>This page needs JavaScript; the same data is at /api/jobs.</noscript></body></html>
`;
}

/** A job name from a URL, checked like --name: it becomes a file name, so nothing else gets through. */
function jobFrom(segment: string): JobName {
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    throw new UsageError(`'${segment}' is not a job name`);
  }
  return parseJobName('job', name);
}

/** A whole number from the query, within bounds, or the default. */
function numberParameter(url: URL, name: string, fallback: number, max: number): number {
  const value = url.searchParams.get(name);
  if (value === null) return fallback;
  if (!/^\d{1,9}$/.test(value)) throw new UsageError(`?${name}=${value}: give a whole number`);
  return Math.min(Number(value), max);
}

/** Lets in a request that carries the token or a pass (access.ts): the client it is from, or undefined once answered. */
function admit(site: Site, request: IncomingMessage, response: ServerResponse, url: URL): string | undefined {
  const admitted = admission({ headers: request.headers, remoteAddress: request.socket.remoteAddress ?? '', url }, site.token, site.secure, site.now());
  if (admitted.kind === 'sign-in') return void sendText(response, 303, 'see other', { location: admitted.location, 'set-cookie': admitted.cookie });
  if (admitted.kind === 'out') {
    return void sendText(response, 401, 'cronwrap serve: this server needs its token: open /?token=<the token> once in a browser, or send "Authorization: Bearer <the token>"', {
      'www-authenticate': 'Bearer realm="cronwrap"',
    });
  }
  if (admitted.cookie) response.setHeader('set-cookie', admitted.cookie);
  return admitted.client;
}

/** The request handler: read-only pages and API, every job name checked, job output only ever as data. */
export function handler(site: Site): (request: IncomingMessage, response: ServerResponse) => void {
  const tails = new TailSlots();
  return (request, response) => {
    void (async () => {
      // Joined, not resolved: a path starting with // must not be read as another host.
      const url = new URL(`http://cronwrap${request.url?.startsWith('/') ? request.url : '/'}`);
      if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, 'cronwrap serve is read-only: GET only', { allow: 'GET, HEAD' });
      const client = admit(site, request, response, url);
      if (client === undefined) return undefined;
      const path = url.pathname;
      if (path === '/' || JOB_PAGE.test(path)) {
        const page = JOB_PAGE.exec(path);
        if (page) jobFrom(page[1]!);
        return send(response, 200, 'text/html; charset=utf-8', pageShell(site.host));
      }
      if (path === '/favicon.ico') return send(response, 204, 'image/x-icon', '');
      const asset = ASSETS[path];
      if (asset) return send(response, 200, asset.type, asset.body);
      if (path === '/api/jobs') return sendJson(response, site.board.rows(site.now()));
      const runLog = API_RUN_LOG.exec(path);
      if (runLog) {
        const job = jobFrom(runLog[1]!);
        const run = runLog[2]!;
        const record = findRun(site.stateDir, job, run);
        if (!record) return sendText(response, 404, `no run ${run} of ${job} in the history`);
        const section = await runSection(record.log, run);
        if (!section) return sendText(response, 404, `run ${run} is no longer in ${record.log} nor in ${record.log}.1 (rotated away)`);
        return sendJson(response, section);
      }
      const api = API_JOB.exec(path);
      if (!api) return sendText(response, 404, 'not found: see / for the page, /api/jobs for the data');
      const job = jobFrom(api[1]!);
      if (api[2] === 'runs') {
        const count = numberParameter(url, 'n', 100, MAX_RUNS);
        // The page asks every few seconds: while the history is the same file, unchanged, it is not read again.
        const signature = historySignature(site.stateDir, job);
        const etag = `"${signature ?? 'none'}:${count}"`;
        if (request.headers['if-none-match'] === etag) return send(response, 304, 'application/json; charset=utf-8', '', { etag });
        const runs = readNewestRuns(site.stateDir, job, count);
        return sendJson(response, runs.map((run): ShownRun => ({ ...run, result: resultOf(run), failed: verdictOf(run) === 'failed' })), { etag });
      }
      const lines = numberParameter(url, 'lines', 100, 1000);
      if (request.method === 'HEAD') return send(response, 200, 'text/event-stream; charset=utf-8', '');
      const slot = tails.take(client);
      if ('refusal' in slot) return sendText(response, slot.status, slot.refusal, { 'retry-after': '10' });
      response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'x-accel-buffering': 'no' });
      response.flushHeaders(); // the client knows it is connected before the job writes anything
      streamLog(response, jobLogPath(site.stateDir, job, site.defaultLog(job)), lines, slot.release, site.now);
      return undefined;
    })().catch((error: unknown) => {
      if (response.headersSent) return void response.destroy();
      if (error instanceof UsageError) return sendText(response, 400, error.message);
      sendText(response, 500, `cronwrap serve: ${error instanceof Error ? error.message : String(error)}`);
    });
  };
}
