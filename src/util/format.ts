/** Formats milliseconds for people: `850ms`, `12.3s`, `4m05s`, `2h03m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 3 : 1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m${pad(totalSeconds % 60)}s`;
  return `${Math.floor(totalSeconds / 3600)}h${pad(Math.floor(totalSeconds / 60) % 60)}m`;
}

/** Quotes an argument for /bin/sh only when it needs it, so a command reads as typed. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command line as a person would type it. */
export function commandText(command: readonly string[]): string {
  return command.map(shellQuote).join(' ');
}

/** `https://hc.example.com/…`, `redis://host:6379`: a URL without user, password, path or query, which may hold a token. */
export function redactUrl(url: string, withPath = true): string {
  try {
    const { protocol, host } = new URL(url);
    return `${protocol}//${host}${withPath ? '/…' : ''}`;
  } catch {
    return '(an invalid URL)';
  }
}

/** An absolute URL inside a text: a scheme, `://`, and everything up to a space or a quote, but a last `.,:;)`. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]*[^\s"'<>.,:;)]/gi;

/**
 * Every URL in `text` shown as `redactUrl` shows it (no user, password, path or query): the one redaction
 * every error text about a request passes before anyone reads or keeps it (an error of fetch's quotes
 * the whole URL it was given).
 */
export function redactUrls(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => redactUrl(url));
}

const hex = (c: string, digits: number) => c.charCodeAt(0).toString(16).padStart(digits, '0');
/** `\x1b` for a character below U+0100, `\u202e` above. */
const escaped = (c: string) => (c.charCodeAt(0) < 0x100 ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`);

/**
 * The bidirectional formatting characters (embeddings, overrides, isolates, marks): a terminal shows text in
 * another order; and the invisible ones (zero-width space, word joiner, BOM) and Unicode's own line and
 * paragraph separators, which hide or split what a line says.
 */
const BIDI = '\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff';
/**
 * C0 and C1 control characters but tab and newline, and the bidi ones: a terminal or mail reader would act
 * on them (clear, clipboard, bell, text shown in another order).
 */
const CONTROL = new RegExp(`[\u0000-\u0008\u000b-\u001f\u007f-\u009f${BIDI}]`, 'g');

/** `\x1b` for ESC, `\r` for CR, `\u202e` for a right-to-left override: shown, never acted on. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => (c === '\r' ? '\\r' : escaped(c)));
}

/** Every C0 and C1 control character, tab and newline too (a line must stay one line, a cell one cell), and the bidi ones. */
const NOT_FOR_A_LINE = new RegExp(`[\u0000-\u001f\u007f-\u009f${BIDI}]`, 'g');
/** What JSON.stringify leaves raw that a terminal acts on: DEL, C1 controls, bidi (it escapes C0 itself). */
const RAW_IN_JSON = new RegExp(`[\u007f-\u009f${BIDI}]`, 'g');

/** `\x1b`, `\x0a`, `\u202e`: one line of text from outside (a crontab, a state file) as a terminal may show it. */
export function escapeLine(text: string): string {
  return text.replace(NOT_FOR_A_LINE, escaped);
}

/** JSON for a terminal or a pipe: as JSON.stringify, with `\u009b`, `\u202e` for what it leaves raw (only ever inside a string, where it means the same). */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(RAW_IN_JSON, (c) => `\\u${hex(c, 4)}`);
}
