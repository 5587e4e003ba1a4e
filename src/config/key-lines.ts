/** A key's place in the file: its section (undefined: the top level) and its name, as written. */
function slot(section: string | undefined, key: string): string {
  return `${section ?? ''}\u0000${key}`;
}

/** `[ jobs . "backup" ]` → `jobs.backup`. */
function sectionName(header: string): string {
  return header.replace(/[\s"']/g, '');
}

/** The key a line starts with (`key =`, `"key" =`, `'key' =`), or undefined. */
function keyOf(line: string): string | undefined {
  const quote = line[0];
  if (quote === '"' || quote === "'") {
    const close = line.indexOf(quote, 1);
    return close > 0 && line.slice(close + 1).trimStart().startsWith('=') ? line.slice(1, close) : undefined;
  }
  const equals = line.indexOf('=');
  if (equals <= 0) return undefined;
  const key = line.slice(0, equals).trim();
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : undefined;
}

/** How many times `needle` occurs in `text`. */
function occurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
}

/**
 * Where each key of a TOML file was written (1-based lines), found in one pass over the lines: no regular
 * expression is built from the file's text, and the time grows with the file's size only. Lines inside
 * multi-line strings are not keys.
 */
export class KeyLines {
  private readonly lines = new Map<string, number>();

  constructor(source: string) {
    let section: string | undefined;
    let inString: string | undefined;
    const all = source.split('\n');
    for (let i = 0; i < all.length; i++) {
      const line = all[i]!.trim();
      if (inString) {
        if (occurrences(line, inString) % 2 === 1) inString = undefined;
        continue;
      }
      if (line.startsWith('[')) {
        const close = line.indexOf(']');
        if (close > 0) section = sectionName(line.slice(1, close).replace(/^\[/, ''));
        continue;
      }
      const key = keyOf(line);
      if (key !== undefined && !this.lines.has(slot(section, key))) this.lines.set(slot(section, key), i + 1);
      for (const delimiter of ['"""', "'''"]) if (occurrences(line, delimiter) % 2 === 1) inString = delimiter;
    }
  }

  /** The line of `key` in `section` (undefined: the top level), or 0 when it cannot be told. */
  lineOf(key: string, section: string | undefined): number {
    return this.lines.get(slot(section, key)) ?? 0;
  }
}
