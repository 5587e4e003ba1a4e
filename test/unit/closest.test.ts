import { describe, expect, it } from 'vitest';
import { closestWords, editDistance } from '../../src/util/closest.js';

describe('closestWords: what a typo meant', () => {
  it.each([
    ['stauts', 'status', 1], // two neighbours swapped: one edit
    ['mysql-bakup', 'mysql-backup', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ])('%s → %s: %i edits', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });

  it('lists the close names, closest first, never the word itself or a far one', () => {
    const known = ['mysql-backup', 'mysql-backups', 'pg-backup', 'mysql-bakup', 'logrotate'];
    expect(closestWords('mysql-bakup', known)).toEqual(['mysql-backup', 'mysql-backups']);
    expect(closestWords('payroll', known)).toEqual([]);
    expect(closestWords('stauts', ['status', 'history', 'tail', 'jobs', 'check', 'serve', 'pause', 'resume'], 1)).toEqual(['status']);
  });
});
