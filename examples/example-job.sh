#!/bin/sh
# A stand-in for a nightly job: output on both streams, progress with carriage returns, a last line
# without a newline. `--fail` makes it fail the way a real job does (exit 3).
echo "backup: dumping database"
for pct in 25 50 75 100; do printf 'progress %s%%\r' "$pct"; sleep 0.1; done
printf '\n'
echo "backup: warning: table 'sessions' skipped (locked)" >&2
if [ "${1:-}" = "--fail" ]; then
  echo "backup: ERROR: disk quota exceeded on /srv/backup" >&2
  exit 3
fi
printf 'backup: done, 1234 rows'
