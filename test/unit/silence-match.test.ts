import { describe, expect, it } from 'vitest';
import { activeSilences, type Silence, type SilenceMatcher } from '../../src/fleet/silences.js';
import { hostNames, matcherHolds, REGEX_BUDGET_MS, runLabels, silenceFor } from '../../src/fleet/silence-match.js';
import { monotonicMs } from '../../src/util/monotonic.js';

const NOW = Date.parse('2026-11-20T09:00:00Z');
const labels = runLabels('backup', 'web1.example.com');

/** `cron_job=~"back.*"` as amtool takes it, as a matcher of the API. */
function m(text: string): SilenceMatcher {
  const [, name, op, value] = /^(\w+)(=~|!~|!=|=)"?(.*?)"?$/.exec(text)!;
  return { name: name!, value: value!, isRegex: op!.includes('~'), isEqual: !op!.startsWith('!') };
}

function silence(matchers: string[], comment = 'maintenance', endsAt = NOW + 3_600_000, id = 'id-1'): Silence {
  return { id, createdBy: 'alice', comment, endsAt, matchers: matchers.map(m) };
}

const applies = (...matchers: string[]) => silenceFor([silence(matchers)], labels, NOW).found !== undefined;

describe("a silence's matchers, as Alertmanager evaluates them", () => {
  it.each([
    ['cron_job=backup', true],
    ['cron_job=back', false],
    ['cron_job!=backup', false],
    ['cron_job!=restore', true],
    ['cron_job=~back.*', true],
    ['cron_job=~back', false], // anchored: a part is no match
    ['cron_job=~ackup', false],
    ['cron_job=~.*ack.*', true],
    ['cron_job=~backup|restore', true], // the alternation is anchored as a whole
    ['cron_job=~(?i)BACKUP', true],
    ['cron_job!~back.*', false],
    ['cron_job!~restore.*', true],
    ['cron_job=', false],
  ])('%s on job backup: %s', (matcher, expected) => {
    expect(applies(matcher)).toBe(expected);
  });

  it('several matchers are ANDed', () => {
    expect(applies('cron_job=backup', 'instance=web1:9100')).toBe(true);
    expect(applies('cron_job=backup', 'instance=web2:9100')).toBe(false);
    expect(applies('cron_job=~b.*', 'cron_job!=backup')).toBe(false);
  });

  it('a silence must name the job: one on severity, alertname or instance alone pauses nothing', () => {
    expect(applies('severity=warning')).toBe(false);
    expect(applies('alertname=CronJobFailed')).toBe(false);
    expect(applies('instance=web1:9100')).toBe(false);
    expect(silenceFor([silence([])], labels, NOW).found).toBeUndefined();
  });

  it("matchers on labels the run cannot know (alertname, severity, job) do not stop it: they are Alertmanager's, for the alerts", () => {
    expect(applies('cron_job=backup', 'alertname=CronJobFailed', 'severity=page', 'job=node')).toBe(true);
  });

  it('the host: instance as node_exporter writes it (host:port) or a bare name, host, exported_instance; its full or short name', () => {
    expect(hostNames('web1.example.com')).toEqual(['web1.example.com', 'web1']);
    expect(hostNames('web1')).toEqual(['web1']);
    expect(hostNames('10.0.0.5')).toEqual(['10.0.0.5']);
    for (const host of ['instance=web1.example.com:9100', 'instance=web1:9100', 'instance=web1', 'host=web1', 'host=web1.example.com', 'exported_instance=web1:9100']) {
      expect(applies('cron_job=backup', host), host).toBe(true);
    }
    for (const regex of ['instance=~web[0-9]:9100', 'instance=~web1:\\d+', 'instance=~web1:.*', 'instance=~web.*', 'instance=~web1(:\\d+)?', 'host=~web1\\..*']) {
      expect(applies('cron_job=backup', regex), regex).toBe(true);
    }
    for (const other of ['instance=web2:9100', 'instance=web1.example.org:9100', 'host=web2', 'instance=~web[2-9]:9100', 'instance!=web1:9100', 'instance!~web1.*', 'host!=web1']) {
      expect(applies('cron_job=backup', other), other).toBe(false);
    }
    expect(applies('cron_job=backup', 'instance!=web2:9100')).toBe(true);
  });

  it('fleet labels: an alert without them matches as the empty value; a run with them matches on them', () => {
    expect(applies('cron_job=backup', 'fleet_group=db')).toBe(false);
    expect(applies('cron_job=backup', 'fleet_group=')).toBe(true);
    const grouped = runLabels('backup', 'web1', { group: 'db', expect: 'all' });
    expect(silenceFor([silence(['cron_job=backup', 'fleet_expect=one'])], runLabels('backup', 'web1', { group: 'db', expect: 1 }), NOW).found).toBeDefined();
    expect(silenceFor([silence(['cron_job=backup', 'fleet_group=db', 'fleet_expect=all'])], grouped, NOW).found).toBeDefined();
    expect(silenceFor([silence(['cron_job=backup', 'fleet_group=web'])], grouped, NOW).found).toBeUndefined();
  });

  it('a skip silence (comment starting with skip:) comes first, then the one that ends last; an ended one is none', () => {
    const quiet = silence(['cron_job=backup'], 'noisy', NOW + 7_200_000, 'quiet');
    const skip = silence(['cron_job=~b.*'], ' Skip: disk swap', NOW + 60_000, 'skip');
    const later = silence(['cron_job=backup'], 'longer', NOW + 9_000_000, 'later');
    const ended = silence(['cron_job=backup'], 'skip: over', NOW, 'ended');
    expect(silenceFor([quiet, skip, later, ended], labels, NOW).found).toEqual({ silence: skip, skip: true });
    expect(silenceFor([quiet, later, ended], labels, NOW).found).toEqual({ silence: later, skip: false });
    expect(silenceFor([ended], labels, NOW).found).toBeUndefined();
    expect(silenceFor([silence(['cron_job=backup'], 'skipping: no')], labels, NOW).found?.skip).toBe(false);
  });

  it('a regex JavaScript cannot evaluate, or one that backtracks for ever, is not applied, and said', () => {
    const odd = silenceFor([silence(['cron_job=~[[:alpha:]]+(?P<x>'], 'maint', NOW + 60_000, 'odd')], labels, NOW);
    expect(odd.found).toBeUndefined();
    expect(odd.problems).toEqual([expect.stringMatching(/^silence odd is not applied: cron_job=~".*" is not a regular expression cronwrap can evaluate/)]);
    const started = Date.now();
    const slow = silenceFor([silence(['cron_job=~(a+)+b'], 'maint', NOW + 60_000, 'slow')], runLabels('a'.repeat(40), 'web1'), NOW);
    expect(slow.problems).toEqual([expect.stringMatching(/silence slow is not applied: cron_job=~"\(a\+\)\+b" took over 50 ms/)]);
    expect(Date.now() - started).toBeLessThan(2000);
    // A silence another matcher rules out is not reported for its regex.
    expect(silenceFor([silence(['cron_job=~(?P<x>', 'host=web2'])], labels, NOW).problems).toEqual([]);
  });

  it('many runaway regexes (anyone may add silences to an Alertmanager without a login) cost a run 250 ms in all, not 50 ms each; the footer names three', () => {
    const runaway = Array.from({ length: 200 }, (_, i) => silence(['cron_job=~(a+)+b'], 'maint', NOW + 60_000, `slow-${i}`));
    const started = monotonicMs();
    const verdict = silenceFor([...runaway, silence(['cron_job=~a+'], 'maint', NOW + 60_000, 'plain')], runLabels('a'.repeat(40), 'web1'), NOW);
    // 200 × 50 ms would be 10 s; the budget is REGEX_BUDGET_MS, and a busy machine's slack.
    expect(monotonicMs() - started).toBeLessThan(REGEX_BUDGET_MS + 2000);
    expect(verdict.found).toBeUndefined(); // past the budget not even a cheap regex is judged: none is trusted to be
    expect(verdict.problems).toHaveLength(4);
    expect(verdict.problems[3]).toBe('and 198 more silences not applied');
  });

  it('matcherHolds: a negative matcher holds when no name of the host matches', () => {
    expect(matcherHolds(m('host!=web1'), ['web1.example.com', 'web1'])).toBe(false);
    expect(matcherHolds(m('host!=web2'), ['web1.example.com', 'web1'])).toBe(true);
  });
});

describe("Alertmanager's answer", () => {
  const api = (state: string, extra: Record<string, unknown> = {}) => ({
    id: `s-${state}`,
    status: { state },
    updatedAt: '2026-11-20T08:00:00Z',
    comment: 'c',
    createdBy: 'bob',
    startsAt: '2026-11-20T08:00:00Z',
    endsAt: '2026-11-20T10:00:00Z',
    matchers: [{ isRegex: false, name: 'cron_job', value: 'backup' }],
    ...extra,
  });

  it('keeps the active silences only, each with its end as a time', () => {
    expect(activeSilences(JSON.stringify([api('active'), api('expired'), api('pending')]))).toEqual([
      { id: 's-active', createdBy: 'bob', comment: 'c', endsAt: Date.parse('2026-11-20T10:00:00Z'), matchers: [{ name: 'cron_job', value: 'backup', isRegex: false }] },
    ]);
  });

  it('refuses what is not a list of silences', () => {
    expect(activeSilences('<html>')).toEqual({ error: 'the answer is not JSON' });
    expect(activeSilences('{"silences": []}')).toEqual({ error: 'the answer is not a list of silences' });
    expect(activeSilences(JSON.stringify([api('active', { matchers: 'cron_job=backup' })]))).toEqual({ error: expect.stringContaining('without id, createdBy') });
    expect(activeSilences(JSON.stringify([api('active', { endsAt: 'tomorrow' })]))).toEqual({ error: 'silence s-active: endsAt is not a time' });
    expect(activeSilences(JSON.stringify([{ id: 'x' }]))).toEqual({ error: expect.stringContaining('without id') });
  });
});
