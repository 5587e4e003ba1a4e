import type { GivenFlags } from '../config/resolve.js';
import { UsageError } from '../errors.js';
import { parseArgs } from './parse-args.js';

/**
 * The flags cronwrap gives a run started with these arguments (a crontab line's, after `cronwrap`), parsed
 * as that run parses them; undefined when it refuses them or they start no run (a help, a subcommand).
 */
export function runFlags(args: readonly string[]): GivenFlags | undefined {
  try {
    const invocation = parseArgs(args, false);
    return invocation.mode === 'wrap' || invocation.mode === 'filter' ? invocation.flags : undefined;
  } catch (error) {
    if (error instanceof UsageError) return undefined;
    throw error;
  }
}
