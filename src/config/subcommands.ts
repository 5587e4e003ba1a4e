/** cronwrap's own commands. They are recognised only as the first argument, so `cronwrap -- status` runs a program named status. */
export const SUBCOMMANDS = ['status', 'history', 'tail', 'jobs', 'check', 'serve', 'pause', 'resume', 'test-alert', 'flush', 'config'] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];
