import { spawn } from 'node:child_process';
import { errorCode } from '../errors.js';
import { oneLine } from './notice.js';

/** What became of handing a message to the local sendmail. */
export type SendmailResult = { ok: true } | { ok: false; error: string; retryable: boolean; outOfTime?: boolean };

/** sysexits(3): what a sendmail's exit status means. */
const SYSEXITS: Record<number, string> = {
  64: 'usage error',
  65: 'data format error',
  66: 'cannot open input',
  67: 'addressee unknown',
  68: 'host name unknown',
  69: 'service unavailable',
  70: 'internal software error',
  71: 'system error',
  72: 'critical OS file missing',
  73: 'cannot create output file',
  74: 'input/output error',
  75: 'temporary failure',
  76: 'remote error in protocol',
  77: 'permission denied',
  78: 'configuration error',
};
/** The exits that may pass: EX_TEMPFAIL, and the system's own trouble (EX_OSERR, EX_CANTCREAT, EX_IOERR). The other sysexits never will. */
const TEMPORARY_EXITS = new Set([71, 73, 74, 75]);
/** Enough of sendmail's stderr to say why it failed. */
const MAX_STDERR_BYTES = 1024;

/** An exit status in words, and whether trying again later could help (any status outside sysexits may). */
function exitMeaning(code: number, stderr: string): { error: string; retryable: boolean } {
  const said = stderr ? `: ${stderr}` : '';
  const meaning = SYSEXITS[code];
  if (!meaning) return { error: `sendmail exited with status ${code}${said}`, retryable: true };
  return { error: `sendmail exited with status ${code} (${meaning})${said}`, retryable: TEMPORARY_EXITS.has(code) };
}

/**
 * Runs `path args` (in `env`) with `message` on its stdin, in a process group of its own, and waits for its exit
 * for at most `ms` or until `stop` fires: then the whole group is killed (a sendmail that hangs, and
 * anything it started, never outlives cronwrap) and the message counts as not sent for now.
 */
export function runSendmail(program: { path: string; env: NodeJS.ProcessEnv }, args: readonly string[], message: Buffer, ms: number, stop: AbortSignal | undefined): Promise<SendmailResult> {
  const { path, env } = program;
  return new Promise((resolve) => {
    const child = spawn(path, args, { detached: true, env, stdio: ['pipe', 'ignore', 'pipe'] });
    const stderr: Buffer[] = [];
    let stderrBytes = 0;
    let settled: SendmailResult | undefined;
    const killGroup = (why: SendmailResult) => {
      settled ??= why;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    };
    const timer = setTimeout(() => killGroup({ ok: false, error: `sendmail did not finish within ${Math.round(ms / 1000)}s and was killed`, retryable: true, outOfTime: true }), Math.max(0, ms));
    const onStop = () => killGroup({ ok: false, error: 'sendmail was stopped: cronwrap was told to stop', retryable: true });
    stop?.addEventListener('abort', onStop, { once: true });
    const finish = (result: SendmailResult) => {
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
      child.stderr?.destroy();
      resolve(settled ?? result);
    };
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderrBytes < MAX_STDERR_BYTES) stderr.push(chunk);
      stderrBytes += chunk.length;
    });
    // A sendmail that exits before reading the whole message: its exit status says why.
    child.stdin?.on('error', () => undefined);
    child.on('error', (error) => finish({ ok: false, error: `cannot run sendmail ${path}: ${errorCode(error)}`, retryable: true }));
    child.on('exit', (code, signal) => {
      if (code === 0) return finish({ ok: true });
      const said = oneLine(Buffer.concat(stderr).subarray(0, MAX_STDERR_BYTES).toString('utf8')).slice(0, 200);
      if (code === null) return finish({ ok: false, error: `sendmail was killed by ${signal ?? 'a signal'}`, retryable: true });
      finish({ ok: false, ...exitMeaning(code, said) });
    });
    child.stdin?.end(message);
  });
}
