import { escapeLine } from '../util/format.js';

/**
 * Lays rows out in columns separated by two spaces; `paint` may colour a cell after it is padded. Cells hold
 * text from crontabs and state files: each is escaped (escapeLine) before it is measured, so none can act
 * on the terminal or break its row.
 */
export function textTable(header: readonly string[], rawRows: readonly (readonly string[])[], paint?: (row: number, column: number, text: string) => string): string {
  const rows = rawRows.map((row) => row.map(escapeLine));
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[], row: number) =>
    cells
      .map((cell, column) => {
        const padded = column === cells.length - 1 ? cell : cell.padEnd(widths[column]!);
        return row >= 0 && paint ? paint(row, column, padded) : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(header, -1), ...rows.map((row, index) => line(row, index))].join('\n') + '\n';
}

/** Colour only on a terminal, and never when NO_COLOR is set (no-color.org). */
export function useColour(stdoutIsTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  return stdoutIsTTY && !env.NO_COLOR;
}

const CODES = { red: 31, green: 32, yellow: 33 } as const;
export function colour(name: keyof typeof CODES, text: string): string {
  return `\u001b[${CODES[name]}m${text}\u001b[0m`;
}
