import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { marksRun, parseLogLine, type LogLine } from '../annotate/log-line.js';

/** A run's section is shown up to this many lines (a chatty job's run can be millions). */
const MAX_SECTION_LINES = 10_000;

export interface RunSection {
  file: string;
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

/** The run's lines in `file`, from its `=== start` record to its `=== end` record, read line by line. */
async function sectionIn(file: string, run: string): Promise<RunSection | undefined> {
  const handle = await openLog(file);
  if (!handle) return undefined;
  try {
    let section: RunSection | undefined;
    for await (const text of handle.readLines({ autoClose: false })) {
      if (!section) {
        // Only lines that name the run are parsed until its start is found.
        if (text.includes(run) && marksRun(parseLogLine(text), 'start', run)) section = { file, lines: [parseLogLine(text)], cut: 0, ended: false };
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

/** One run's part of the job's log, from the log or from the copy logrotate made last (`<log>.1`). */
export async function runSection(logPath: string, run: string): Promise<RunSection | undefined> {
  for (const file of [logPath, `${logPath}.1`]) {
    const section = await sectionIn(file, run);
    if (section) return section;
  }
  return undefined;
}
