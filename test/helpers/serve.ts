import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cronwrapProcess, waitFor, type Sandbox } from './cronwrap.js';

/** A running `cronwrap serve` and the address it printed (not a thenable: awaiting it does not wait for its end). */
export interface Serving {
  child: ReturnType<typeof cronwrapProcess>;
  url: string;
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
  await waitFor(() => ended || /https?:\/\/\S+\//.test(child.stdoutText()));
  const url = /(https?:\/\/\S+)\//.exec(child.stdoutText())?.[1];
  if (!url) {
    child.kill('SIGKILL');
    throw new Error(`cronwrap serve did not start: ${String((await child).stderr)}`);
  }
  return { child, url };
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
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
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
      controller.abort();
      await reading;
    },
  };
}
