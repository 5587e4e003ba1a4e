import type { ServerResponse } from 'node:http';
import { parseLogLine, type LogLine } from '../annotate/log-line.js';
import { errorCode } from '../errors.js';
import { LogFollower } from '../output/log-reader.js';

/** How often the log is read: lines reach the page within this (plus the network). */
const POLL_MS = 250;
/** The most read from a log per poll; a job writing faster is shown in part (the page says how much was skipped). */
const KEEP_BYTES = 256 * 1024;
/** The most lines sent per event, and the most a slow client may have queued before lines are dropped for it. */
const MAX_EVENT_LINES = 2000;
const MAX_QUEUED_BYTES = 1024 * 1024;
const KEEP_ALIVE_MS = 15_000;
/** A line longer than a record can be (64 KiB of text and its stamp) is cut. */
const MAX_LINE_BYTES = 70 * 1024;

/** Splits the bytes of a log into lines; after a skip, the cut line is dropped whole. */
class LineSplitter {
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private dropping = false;

  constructor(private readonly onLine: (line: LogLine) => void) {}

  skip(): void {
    this.partial = [];
    this.partialBytes = 0;
    this.dropping = true;
  }

  data(chunk: Buffer): void {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      if (!this.dropping) {
        this.partial.push(chunk.subarray(start, newline));
        this.onLine(parseLogLine(Buffer.concat(this.partial).toString('utf8')));
      }
      this.partial = [];
      this.partialBytes = 0;
      this.dropping = false;
      start = newline + 1;
    }
    if (start < chunk.length && !this.dropping && this.partialBytes < MAX_LINE_BYTES) {
      // The follower lends its buffer: what is kept is copied.
      this.partial.push(Buffer.from(chunk.subarray(start, Math.min(chunk.length, start + MAX_LINE_BYTES - this.partialBytes))));
      this.partialBytes += chunk.length - start;
    }
  }
}

/** What one Server-Sent Event carries: new lines, and how many were skipped to keep up since the last event. */
export interface TailEvent {
  lines: LogLine[];
  skipped_lines: number;
  skipped_bytes: number;
}

/**
 * Streams a job's log to one client as Server-Sent Events: its last `lines` lines, then every line
 * written to it, whichever process writes it, across rotation. Memory per client is bounded: a poll
 * reads at most KEEP_BYTES, an event carries at most MAX_EVENT_LINES, and a client that does not read
 * gets no more queued than MAX_QUEUED_BYTES; what is left out is counted in the next event. `now` (io.now)
 * times the keep-alive.
 */
export function streamLog(response: ServerResponse, path: string, lines: number, onEnd: () => void, now: () => number): void {
  const log = new LogFollower(path);
  let pending: LogLine[] = [];
  let skippedLines = 0;
  let skippedBytes = 0;
  let quietSince = now();
  const splitter = new LineSplitter((line) => {
    pending.push(line);
    if (pending.length > MAX_EVENT_LINES * 2) {
      skippedLines += pending.length - MAX_EVENT_LINES;
      pending = pending.slice(-MAX_EVENT_LINES);
    }
  });
  const sink = {
    data: (chunk: Buffer) => splitter.data(chunk),
    skipped: (bytes: number) => {
      skippedBytes += bytes;
      splitter.skip();
    },
  };
  const send = (text: string) => {
    response.write(text);
    quietSince = now();
  };
  const fail = (error: unknown) => {
    send(`event: problem\ndata: ${JSON.stringify({ message: `cannot read ${path}: ${errorCode(error)}` })}\n\n`);
    stop();
    response.end();
  };
  const tick = () => {
    const held = pending.length;
    try {
      log.poll(sink, KEEP_BYTES);
    } catch (error) {
      fail(error);
      return;
    }
    if (response.writableLength > MAX_QUEUED_BYTES) {
      // A client that does not read is held only the newest poll's lines, so the end of a run still
      // reaches it once it reads again (and its memory stays bounded by one poll).
      if (held > 0 && pending.length > held) {
        skippedLines += held;
        pending = pending.slice(held);
      }
    } else if (pending.length > 0 || skippedLines > 0 || skippedBytes > 0) {
      if (pending.length > MAX_EVENT_LINES) {
        skippedLines += pending.length - MAX_EVENT_LINES;
        pending = pending.slice(-MAX_EVENT_LINES);
      }
      const event: TailEvent = { lines: pending, skipped_lines: skippedLines, skipped_bytes: skippedBytes };
      send(`data: ${JSON.stringify(event)}\n\n`);
      pending = [];
      skippedLines = 0;
      skippedBytes = 0;
    } else if (now() - quietSince > KEEP_ALIVE_MS) {
      send(': keep-alive\n\n'); // proxies close connections that stay silent
    }
  };
  const timer = setInterval(tick, POLL_MS);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    log.close();
    onEnd();
  };
  response.once('close', stop);
  try {
    log.open(lines);
  } catch (error) {
    fail(error);
    return;
  }
  tick();
}
