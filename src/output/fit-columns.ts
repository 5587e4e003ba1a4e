/** A column that may give way when a table is too wide: down to `min` characters, keeping its start (a command) or both ends (a path). */
export interface Elastic {
  column: number;
  min: number;
  keep: 'start' | 'ends';
}

/** `text` in `width` characters, the cut marked with an ellipsis. */
function elide(text: string, width: number, keep: Elastic['keep']): string {
  if (text.length <= width) return text;
  const head = keep === 'start' ? width - 1 : Math.ceil((width - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (width - 1 - head))}`;
}

/**
 * The rows with their elastic cells cut so the table (columns two spaces apart, as textTable lays them out)
 * fits in `width` characters: the widest elastic column gives way first, none below its `min` or its
 * title. When that is not enough the table stays wider: every column keeps something to read.
 */
export function fitColumns(header: readonly string[], rows: readonly (readonly string[])[], width: number, elastic: readonly Elastic[]): string[][] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  let excess = widths.reduce((sum, w) => sum + w, 0) + 2 * (widths.length - 1) - width;
  while (excess > 0) {
    const room = elastic.filter(({ column, min }) => widths[column]! > Math.max(min, header[column]!.length));
    if (room.length === 0) break;
    const widest = room.reduce((a, b) => (widths[b.column]! > widths[a.column]! ? b : a));
    widths[widest.column]! -= 1;
    excess -= 1;
  }
  const keepOf = new Map(elastic.map((e) => [e.column, e.keep]));
  return rows.map((row) => row.map((cell, column) => elide(cell, widths[column]!, keepOf.get(column) ?? 'start')));
}
