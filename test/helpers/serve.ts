import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cronwrapProcess, waitFor, type Sandbox } from './cronwrap.js';

/** A running `cronwrap serve`, the address it printed and the token it requires (not a thenable: awaiting it does not wait for its end). */
export interface Serving {
  child: ReturnType<typeof cronwrapProcess>;
  url: string;
  token: string;
}

/** The origins of the servers started below that keep their own token (in the state directory), and that token. */
const ownTokens = new Map<string, string>();
const plainFetch = globalThis.fetch;

/**
 * Every request to the live view needs its token. A test fetches a server that made its own as the operator's
 * tools do, with `Authorization: Bearer`, unless it sends credentials of its own (Authorization or Cookie) to
 * see what others get: so every test of the live view keeps its plain fetch(url). A server given
 * CRONWRAP_SERVE_TOKEN_FILE gets nothing added.
 */
globalThis.fetch = (input, init) => {
  const request = new Request(input, init);
  const token = ownTokens.get(new URL(request.url).origin);
  if (token !== undefined && !request.headers.has('authorization') && !request.headers.has('cookie')) request.headers.set('authorization', `Bearer ${token}`);
  return plainFetch(request);
};

/** A browser's first visit to `url` on a server started below: with `?token=`, which sets its pass cookie and sends it on to `url`. */
export function signInUrl(url: string): string {
  const target = new URL(url);
  const token = ownTokens.get(target.origin);
  if (token === undefined) throw new Error(`no server with a token of its own at ${target.origin}`);
  target.searchParams.set('token', token);
  return target.href;
}

/**
 * Starts `cronwrap serve` on a free loopback port (or as `args` say) and waits for the address it prints.
 * Unless `args` name a --root, the cron tree it lists jobs from is an empty one in the sandbox: the host's
 * crontabs, and the /etc/cron.d file another test writes meanwhile (a real cron daemon's), are not its jobs.
 */
export async function startServe(box: Sandbox, args: readonly string[] = ['--listen', '127.0.0.1:0'], env: Record<string, string> = {}): Promise<Serving> {
  const root = args.includes('--root') ? [] : ['--root', join(box.dir, 'no-crontabs')];
  if (root[1]) mkdirSync(root[1], { recursive: true });
  const child = cronwrapProcess(['serve', ...args, ...root], box, { env });
  let ended = false;
  void child.then(() => (ended = true));
  await waitFor(() => ended || /https?:\/\/\S+\/.*\n/.test(child.stdoutText()));
  const url = /(https?:\/\/\S+)\//.exec(child.stdoutText())?.[1];
  if (!url) {
    child.kill('SIGKILL');
    throw new Error(`cronwrap serve did not start: ${String((await child).stderr)}`);
  }
  // It says where its token is, never the token (stdout is not a terminal).
  const file = /token required, in (\S+):/.exec(child.stdoutText())![1]!;
  const token = readFileSync(file, 'utf8').trim();
  const origin = new URL(url).origin; // an earlier server's port, maybe: forget its token
  if (env.CRONWRAP_SERVE_TOKEN_FILE) ownTokens.delete(origin);
  else ownTokens.set(origin, token);
  return { child, url, token };
}

export interface LogLine {
  stamp: string;
  stream: string;
  text: string;
}

export interface TailEvent {
  lines: LogLine[];
  skipped_lines: number;
  skipped_bytes: number;
}

/** Reads a job's live tail (Server-Sent Events) as a tool would, keeping every event; `close()` ends it. */
export async function openTail(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const events: TailEvent[] = [];
  const problems: string[] = [];
  let buffered = '';
  // Read through a reader of our own: cancelling it ends the loop at once (aborting the fetch alone
  // can leave an idle body's read pending).
  const reader = response.body!.getReader();
  const reading = (async () => {
    const decoder = new TextDecoder();
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      buffered += decoder.decode(next.value, { stream: true });
      for (let end = buffered.indexOf('\n\n'); end !== -1; end = buffered.indexOf('\n\n')) {
        const event = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (data === undefined) continue;
        if (/^event: problem$/m.test(event)) problems.push((JSON.parse(data) as { message: string }).message);
        else events.push(JSON.parse(data) as TailEvent);
      }
    }
  })().catch(() => undefined);
  return {
    response,
    events,
    problems,
    texts: () => events.flatMap((event) => event.lines.map((line) => line.text)),
    close: async () => {
      await reader.cancel().catch(() => undefined);
      controller.abort();
      await reading;
    },
  };
}
