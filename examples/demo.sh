#!/bin/sh
# npm run demo: runs the example job through cronwrap, as a person at a terminal and as cron would,
# keeping its logs and history under ./demo/ so nothing is written to /var.
set -u
cd "$(dirname "$0")/.."
# No alerts from the demo: no config file (not even this machine's), no recipients.
export CRONWRAP_STATE_DIR="$PWD/demo/state" CRONWRAP_LOG_DIR="$PWD/demo/logs" CRONWRAP_CONFIG=/dev/null CRONWRAP_MAIL_TO=

echo '$ cronwrap --tee --name example -- examples/example-job.sh'
./bin/cronwrap --tee --name example -- examples/example-job.sh
echo "(exit status $?)"
echo
echo '$ cronwrap --name example -- examples/example-job.sh --fail     # under cron: stdout is not a terminal'
./bin/cronwrap --name example -- examples/example-job.sh --fail < /dev/null | cat
echo
echo "\$ cat demo/logs/example.log"
cat demo/logs/example.log
echo
echo "\$ cat demo/state/history/example.jsonl"
cat demo/state/history/example.jsonl
