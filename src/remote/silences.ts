// Alertmanager's silences, built as their own small file (dist/silences.cjs) and loaded only by runs with
// --alertmanager-url (and by check, when a run kept an answer): far less to load than dist/remote.cjs,
// which every such run would otherwise pay for (nodemailer, ioredis), cached answer or not.
export { askSilences, silencedByKeptAnswer } from '../fleet/alertmanager.js';
