/**
 * A mail address as cronwrap takes one: `ops@example.com`, or a local name such as `root`, as cron's
 * MAILTO allows. No space, quote or separator, and no leading `-`, which sendmail would read as an option
 * (`-oQ/tmp` names its queue).
 */
const MAIL_ADDRESS = /^[^\s@<>,;"\u0000-\u001f\u007f-](?:[^\s@<>,;"\u0000-\u001f\u007f]*)(?:@[^\s@<>,;"\u0000-\u001f\u007f-][^\s@<>,;"\u0000-\u001f\u007f]*)?$/;

export function isMailAddress(value: unknown): value is string {
  return typeof value === 'string' && MAIL_ADDRESS.test(value);
}
