/** Exit status for cronwrap's own usage or start-up errors, before the command ran (see the contract). */
export const EXIT_USAGE = 125;

/** Exit status for an invalid config file: sysexits' EX_CONFIG, which Chef's `verify` takes as a refusal. */
export const EX_CONFIG = 78;

/** A mistake in how cronwrap was called: the message names the option, the value and the fix. */
export class UsageError extends Error {
  readonly exitCode = EXIT_USAGE;
  override name = 'UsageError';
}

/** The code an error carries (`EACCES`, `ERR_TLS_CERT_ALTNAME_INVALID`), or undefined when it has none. */
export function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && error.code !== undefined && error.code !== null ? String(error.code) : undefined;
}

/** The error code of a failed system call, for messages (`EACCES`), or the message itself. */
export function errorCode(error: unknown): string {
  const code = codeOf(error);
  if (code !== undefined) return code;
  if (typeof error === 'object' && error !== null && 'message' in error && error.message !== undefined && error.message !== null) return String(error.message);
  return String(error);
}
