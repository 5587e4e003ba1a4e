/** Exit status for cronwrap's own usage or start-up errors, before the command ran (see the contract). */
export const EXIT_USAGE = 125;

/** A mistake in how cronwrap was called: the message names the option, the value and the fix. */
export class UsageError extends Error {
  readonly exitCode = EXIT_USAGE;
  override name = 'UsageError';
}
