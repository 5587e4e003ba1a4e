/** Exit status for cronwrap's own usage or start-up errors, before the command ran (see the contract). */
export const EXIT_USAGE = 125;

/** Exit status for an invalid config file: sysexits' EX_CONFIG, which Chef's `verify` takes as a refusal. */
export const EX_CONFIG = 78;

/** A mistake in how cronwrap was called: the message names the option, the value and the fix. */
export class UsageError extends Error {
  readonly exitCode = EXIT_USAGE;
  override name = 'UsageError';
}

/** The error code of a failed system call, for messages (`EACCES`), or the message itself. */
export function errorCode(error: unknown): string {
  const e = error as NodeJS.ErrnoException | undefined;
  return e?.code ?? e?.message ?? String(error);
}
