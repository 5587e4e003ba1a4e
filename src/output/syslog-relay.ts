import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { errorCode } from '../errors.js';
import { ownerProblem, UnsafePathError, walkTrusted } from '../util/trust.js';

/**
 * Node has no Unix datagram sockets (node:dgram is UDP only) and /dev/log is one, so a child sends the
 * datagrams: perl, which Debian marks Essential (perl-base) as it does util-linux's logger, but which,
 * unlike logger, sends each message as given (our own header, MSGID, severity and structured data per
 * message, from one child per run) and can say how many it sent. It reads frames from stdin (a 4-byte
 * big-endian length, then the datagram), sends each, and answers an empty frame with `<sent> <failed>`;
 * the first failure of each kind is told as `error <reason>`.
 */
const RELAY = `
use strict; use Socket;
binmode(STDIN); binmode(STDOUT);
socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die "socket: $!\\n";
my $to = pack_sockaddr_un($ARGV[0]);
my ($sent, $failed, $last) = (0, 0, '');
$| = 1;
while (read(STDIN, my $head, 4) == 4) {
  my $n = unpack('N', $head);
  if ($n == 0) { print "$sent $failed\\n"; next }
  last unless read(STDIN, my $message, $n) == $n;
  if (defined send($s, $message, 0, $to)) { $sent++ } else { $failed++; if ("$!" ne $last) { $last = "$!"; print "error $last\\n" } }
}
`;

/** What is written to the relay but not yet read by it is capped: past this, messages are dropped and counted. */
export const RELAY_QUEUE_BYTES = 2 * 1024 * 1024;

/** How the messages of a run fared, as far as the relay could tell. */
export interface RelayReport {
  /** Messages handed to the relay, and dropped before it because it did not keep up. */
  handed: number;
  dropped: number;
  /** Messages the socket took and refused, as the relay answered; undefined when it did not answer in time. */
  sent?: number;
  failed?: number;
  /** The first reason a send failed, or why the relay could not run. */
  error?: string;
  /** The relay ended before the run did (it could not start, or died). */
  ended: boolean;
}

type RelayChild = ChildProcessByStdio<Writable, Readable, Readable>;

/**
 * Why root's records must not go to `socketPath`, if so: a socket another user owns, or one in a directory
 * another user could swap it in, would hand them every line of root's jobs. A missing one is the relay's to say.
 */
function untrustedSocket(socketPath: string): string | undefined {
  try {
    const { path, stats } = walkTrusted(socketPath);
    if (!stats) return undefined;
    if (!stats.isSocket()) return `not safe: ${path} is not a socket`;
    const owner = ownerProblem(path, stats);
    return owner && `not safe: ${owner}`;
  } catch (error) {
    return error instanceof UnsafePathError ? error.message : `cannot check ${socketPath}: ${errorCode(error)}`;
  }
}

/** Sends datagrams to a Unix socket through the relay child, never waiting on it: what it cannot take is dropped. */
export class SyslogRelay {
  private readonly child: RelayChild;
  private handed = 0;
  private dropped = 0;
  private error: string | undefined;
  private answers: ((counts: [number, number]) => void)[] = [];
  private pending = '';
  private exited = false;
  private readonly exit: Promise<void>;

  constructor(socketPath: string) {
    const unsafe = untrustedSocket(socketPath);
    // Its own pipes, never cronwrap's stderr: a relay stuck in send(2) must not hold cron's mail pipe open.
    // No environment but PATH: PERL5OPT, PERL5LIB or PERL_UNICODE from a crontab must not change what it runs or reads.
    // An unsafe socket gets a relay that sends nothing (perl -e '') and the reason, told like any failure.
    this.child = spawn('perl', ['-e', unsafe ? '' : RELAY, socketPath], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    if (unsafe) this.error = unsafe;
    this.exit = new Promise((resolve) => this.child.once('close', () => resolve()));
    this.child.once('exit', () => (this.exited = true));
    this.child.once('error', (error) => {
      this.exited = true;
      this.error ??= `cannot run perl: ${error.message}`;
    });
    this.child.stdin.on('error', () => undefined); // the relay died: its exit says why
    this.child.stdout.setEncoding('utf8').on('data', (text: string) => this.hear(text));
    this.child.stderr.setEncoding('utf8').on('data', (text: string) => (this.error ??= text.trim().split('\n')[0]));
  }

  /** Hands `count` framed messages (`frames`, kept by the relay until written) on, or drops them when the relay lags. */
  send(frames: Buffer, count: number): void {
    if (this.full) return this.drop(count);
    this.handed += count;
    this.child.stdin.write(frames);
  }

  /** Whether messages sent now would be dropped: the relay is gone, or holds its fill already. */
  get full(): boolean {
    return this.exited || this.child.stdin.writableLength > RELAY_QUEUE_BYTES;
  }

  /** Counts `count` messages as dropped, unsent. */
  drop(count: number): void {
    this.dropped += count;
  }

  /** Whether a write would be dropped now or soon: filter mode lets the event loop drain it. */
  get lagging(): boolean {
    return this.child.stdin.writableLength > 0;
  }

  /** Asks the relay how many it sent, waiting at most `timeoutMs` for the answer (a stuck syslog never gives one). */
  async report(timeoutMs: number): Promise<RelayReport> {
    let counts: [number, number] | undefined;
    if (!this.exited) {
      const answered = new Promise<[number, number]>((resolve) => this.answers.push(resolve));
      this.child.stdin.write(Buffer.alloc(4));
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, timeoutMs, undefined)));
      counts = await Promise.race([answered, late, this.exit.then(() => undefined)]);
      clearTimeout(timer);
    }
    const report: RelayReport = { handed: this.handed, dropped: this.dropped, ended: this.exited, ...(this.error ? { error: this.error } : {}) };
    return counts ? { ...report, sent: counts[0], failed: counts[1] } : report;
  }

  /** Ends the relay: what it still holds may go out for `graceMs`, then it is killed. */
  async close(graceMs: number): Promise<void> {
    this.child.stdin.end();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exit, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    if (!this.exited) this.child.kill('SIGKILL');
    this.child.unref();
  }

  private hear(text: string): void {
    const lines = (this.pending + text).split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('error ')) this.error ??= line.slice(6);
      const counts = /^(\d+) (\d+)$/.exec(line);
      if (counts) this.answers.shift()?.([Number(counts[1]), Number(counts[2])]);
    }
  }
}
