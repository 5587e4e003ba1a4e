import { ENDING_PARAMS, SYSLOG_FACILITIES, severityCode, type MessageFormat, type MessageIdentity } from './syslog-message.js';

/**
 * journald's native protocol (a datagram to /run/systemd/journal/socket of `FIELD=value` lines): the fields
 * journalctl filters on, CRONWRAP_JOB, CRONWRAP_RUN and CRONWRAP_STREAM, beside the syslog ones. The text
 * is MESSAGE, last; a record's text never holds a newline (records end at one), so the plain
 * `FIELD=value\n` form carries it whole, whatever its bytes. One message holds a whole record (at most 64
 * KiB, the recorder's piece), far under the datagram limit.
 */
export function journalFormat(identity: MessageIdentity): MessageFormat {
  const { facility, tag, job, run, pid } = identity;
  const fixed = `SYSLOG_FACILITY=${SYSLOG_FACILITIES[facility]}\nSYSLOG_IDENTIFIER=${tag}\nSYSLOG_PID=${pid}\nCRONWRAP_JOB=${job}\nCRONWRAP_RUN=${run}\n`;
  return {
    head: ({ severity, msgid, stream, ending }) => {
      const endingFields = ENDING_PARAMS[ending].map(([name, value]) => `CRONWRAP_${name.toUpperCase()}=${value}\n`).join('');
      const event = msgid === stream ? '' : `CRONWRAP_EVENT=${msgid}\n`;
      return `PRIORITY=${severityCode(severity)}\n${fixed}CRONWRAP_STREAM=${stream}\n${event}${endingFields}MESSAGE=`;
    },
    tail: Buffer.from('\n'),
    pieceBytes: Number.POSITIVE_INFINITY,
  };
}
