import { describe, expect, it } from 'vitest';
import { fitColumns } from '../../src/output/fit-columns.js';
import { textTable } from '../../src/output/text-table.js';

const header = ['JOB', 'SOURCE', 'COMMAND'];
const rows = [
  ['backup', '/var/spool/cron/crontabs/alice:3', '/usr/local/bin/backup --full --to /srv/backups'],
  ['-', '/etc/cron.d/e2scrub_all:1', 'test -e /run/systemd/system || SERVICE_MODE=1 /sbin/e2scrub_all'],
];
const width = (table: string) => Math.max(...table.trimEnd().split('\n').map((line) => line.length));

describe('a table cut to the terminal', () => {
  it('leaves a table that fits as it is', () => {
    expect(fitColumns(header, rows, 200, [{ column: 2, min: 10, keep: 'start' }])).toEqual(rows);
  });

  it('cuts the widest elastic column first, keeping the start of a command and both ends of a path', () => {
    const cut = fitColumns(header, rows, 70, [
      { column: 1, min: 12, keep: 'ends' },
      { column: 2, min: 12, keep: 'start' },
    ]);
    expect(width(textTable(header, cut))).toBe(70);
    expect(cut[0]![2]).toMatch(/^\/usr\/local\/bin\/backup.*…$/);
    expect(cut[1]![2]).toMatch(/^test -e .*…$/);
    expect(cut[0]![1]).toMatch(/^\/var\/spool\/.*….*alice:3$/);
    expect(cut[0]![0]).toBe('backup'); // not elastic
  });

  it('stops at each column\'s min (and its title): then the table stays wider', () => {
    const cut = fitColumns(header, rows, 20, [{ column: 2, min: 10, keep: 'start' }]);
    expect(cut.map((row) => row[2]!.length)).toEqual([10, 10]);
    expect(cut.map((row) => row[1])).toEqual(rows.map((row) => row[1]));
  });
});
