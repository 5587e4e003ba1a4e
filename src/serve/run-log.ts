import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { marksRun, parseLogLine, type LogLine } from '../annotate/log-line.js';

/** A run's section is shown up to this many lines (a chatty job's run can be millions). */
const MAX_SECTION_LINES = 10_000;

export interface RunSection {
  /** The files it was read from: the log, or the rotated copy and then the log (a run that spans a rotation). */
  files: string[];
  lines: LogLine[];
  /** Lines after the first MAX_SECTION_LINES that are not shown. */
  cut: number;
  /** The section's end record was found (a run in progress has none yet). */
  ended: boolean;
}

/** Opens a log read-only, never through a symlink nor blocking on a FIFO; undefined if it is not a regular file. */
async function openLog(file: string): Promise<FileHandle | undefined> {
  try {
    const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    if ((await handle.stat()).isFile()) return handle;
    await handle.close();
  } catch {
    // missing or unreadable: the run is looked for in the next file
  }
  return undefined;
}

/**
 * The run's lines in `file`, from its `=== start` record to its `=== end` record, read line by line;
 * with `begun` (its start was in the rotated file), from the file's first line on.
 */
async function sectionIn(file: string, run: string, begun?: RunSection): Promise<RunSection | undefined> {
  const handle = await openLog(file);
  if (!handle) return undefined;
  try {
    let section = begun && { ...begun, files: [...begun.files, file] };
    for await (const text of handle.readLines({ autoClose: false })) {
      if (!section) {
        // Only lines that name the run are parsed until its start is found.
        if (text.includes(run) && marksRun(parseLogLine(text), 'start', run)) section = { files: [file], lines: [parseLogLine(text)], cut: 0, ended: false };
        continue;
      }
      const line = parseLogLine(text);
      if (section.lines.length < MAX_SECTION_LINES) section.lines.push(line);
      else section.cut++;
      if (marksRun(line, 'end', run)) return { ...section, ended: true };
    }
    return section;
  } finally {
    await handle.close();
  }
}

/** One run's part of the job's log: in the log, or in the copy logrotate made last (`<log>.1`) and on into the log. */
export async function runSection(logPath: string, run: string): Promise<RunSection | undefined> {
  const current = await sectionIn(logPath, run);
  if (current) return current;
  const rotated = await sectionIn(`${logPath}.1`, run);
  if (!rotated || rotated.ended) return rotated;
  return (await sectionIn(logPath, run, rotated)) ?? rotated;
}
