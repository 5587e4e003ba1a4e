/** A secret as read for one run: its value (undefined when none is set), or why it could not be read. */
export type Secret = { value: string | undefined } | { error: string };
