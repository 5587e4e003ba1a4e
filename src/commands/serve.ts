import { Option } from 'commander';
import { parseListen, type Listen } from '../config/value-types.js';
import { defaultLogPath } from '../state/paths.js';
import { loadServe } from '../serve/load.js';
import { subcommand } from './subcommand.js';

const DEFAULT_LISTEN: Listen = { host: '127.0.0.1', port: 8089 };

/** `cronwrap serve`: the live view, loaded from its own bundle (src/serve/) only when asked for. */
export const serve = subcommand({
  name: 'serve',
  summary: { synopsis: 'serve [--listen 127.0.0.1:8089]', text: 'the live view: every job, its durations, its output as written' },
  description:
    "The live view: a read-only web page and JSON API (/api/jobs, /api/jobs/JOB/runs, /api/jobs/JOB/tail) with every job, a chart of its durations, each run's log and its output as it is written. Listens on 127.0.0.1 unless told otherwise. Every request needs a token, on loopback too (every local user can reach it): the one in the file CRONWRAP_SERVE_TOKEN_FILE names, else its own, made on first start in STATE_DIR/serve-token (0600, replaced if others could read it). Open /?token=TOKEN once in a browser (it sets a cookie; from another machine: ssh -L 8089:127.0.0.1:8089 HOST), or send 'Authorization: Bearer TOKEN'. On a terminal it prints that address with the token; elsewhere only the file. Runs until SIGTERM.",
  settings: ['stateDir', 'logDir', 'config'],
  readsState: true,
  options: (program) =>
    program
      .addOption(
        new Option('--listen <host:port>', 'where to listen (a bare port means 127.0.0.1; port 0 picks a free one)')
          .argParser((value: string) => parseListen('--listen', value))
          .default(DEFAULT_LISTEN, '127.0.0.1:8089'),
      )
      .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM; with --tls-key)')
      .option('--tls-key <file>', "the certificate's private key (PEM; owned by root or this user, readable by no one else)")
      .option('--root <dir>', 'read the cron files under DIR instead of /', '/'),
  values: (program) => {
    const given = program.opts<{ listen?: Listen; root?: string; tlsCert?: string; tlsKey?: string }>();
    return { listen: given.listen ?? DEFAULT_LISTEN, root: given.root ?? '/', tlsCert: given.tlsCert, tlsKey: given.tlsKey };
  },
  run: async (call, { settings, stateDir, viewer, io }) => {
    const { listen, root, tlsCert, tlsKey } = call;
    const defaultLog = (job: string) => defaultLogPath(job, settings.logDir, stateDir, io.uid);
    return await loadServe().runServe({ listen, stateDir, cronRoot: root, viewer, defaultLog, tlsCert, tlsKey }, io);
  },
});
