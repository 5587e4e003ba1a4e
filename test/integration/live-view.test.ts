/// <reference lib="dom" />
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cronwrap, cronwrapProcess, sandbox, waitFor, type Sandbox } from '../helpers/cronwrap.js';
import { has } from '../helpers/daemons.js';
import { signInUrl, startServe, type Serving } from '../helpers/serve.js';

// A real headless Chromium (Debian's chromium; .ci/run installs it) opens the page. Outside CI a machine
// without it skips these tests.
const withChromium = has('chromium') || process.env.CI ? describe : describe.skip;
const SHOTS = resolve(__dirname, '../../test-output/live-view');

let browser: Browser;
const servers: Serving[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.child.kill('SIGTERM');
    await server.child.catch(() => undefined);
  }
});

/** A page that fails the test on a script error, a Content-Security-Policy refusal or a dialog (an alert() from job output). */
async function openPage(url: string, beforeLoad?: (page: Page) => Promise<void>): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await beforeLoad?.(page);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(signInUrl(url)); // as the operator: the ?token= link, then the page itself with a pass
  expect(page.url()).toBe(url);
  return { page, problems };
}

async function serve(box: Sandbox): Promise<string> {
  return (await serveOwn(box)).url;
}

async function serveOwn(box: Sandbox): Promise<Serving> {
  const server = await startServe(box);
  servers.push(server);
  return server;
}

async function stop(server: Serving): Promise<void> {
  server.child.kill('SIGTERM');
  await server.child.catch(() => undefined);
}

/** Holds the page's requests for the job list until `release()`, then sends them on to the server as they were. */
async function holdJobList(page: Page): Promise<{ release: () => void }> {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/jobs', async (route) => {
    await held;
    await route.continue().catch(() => undefined); // the server may be gone: the page gets a network error
  });
  return { release };
}

/** Pixels of the chart's canvas close to `rgb` (the colour of its points). */
function pixelsOf(page: Page, rgb: [number, number, number]): Promise<number> {
  return page.evaluate((colour) => {
    const canvas = document.querySelector<HTMLCanvasElement>('#chart canvas');
    if (!canvas) return -1;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3]! > 200 && Math.abs(data[i]! - colour[0]) < 30 && Math.abs(data[i + 1]! - colour[1]) < 30 && Math.abs(data[i + 2]! - colour[2]) < 30) count++;
    }
    return count;
  }, rgb);
}

const GREEN: [number, number, number] = [46, 157, 91];
const RED: [number, number, number] = [211, 60, 60];

withChromium('the live view in a real browser', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      // As root in CI Chromium needs --no-sandbox; the rest keeps it off the (closed) network.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('lists the jobs of a state directory, failing first, and plots a job\'s durations', async () => {
    const box = sandbox();
    for (const seconds of ['0.1', '0.3', '0.2']) expect((await cronwrap(['--name', 'nightly', '-c', `sleep ${seconds}`], box)).exitCode).toBe(0);
    expect((await cronwrap(['--name', 'nightly', '-c', 'sleep 0.25; exit 4'], box)).exitCode).toBe(4);
    expect((await cronwrap(['--name', 'backup', '--', 'true'], box)).exitCode).toBe(0);
    const url = await serve(box);

    const { page, problems } = await openPage(`${url}/`);
    await page.waitForSelector('#jobs tbody tr[data-job]');
    const rows = await page.$$eval('#jobs tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-job'), tr.querySelector('.state')?.textContent]));
    expect(rows).toEqual([
      ['nightly', 'failing'],
      ['backup', 'ok'],
    ]);
    await page.screenshot({ path: join(SHOTS, 'jobs.png'), fullPage: true });

    await page.click('#jobs a[href="/jobs/nightly"]');
    await page.waitForSelector('#chart canvas');
    expect(await pixelsOf(page, GREEN)).toBeGreaterThan(20); // three successful runs drawn
    expect(await pixelsOf(page, RED)).toBeGreaterThan(5); // and the failed one, in red
    expect(await page.$$eval('#runs tbody tr', (trs) => trs.length)).toBe(4);
    await page.screenshot({ path: join(SHOTS, 'job.png'), fullPage: true });
    // Its next look at the runs finds the history unchanged: nothing read, nothing drawn again.
    const unchanged = await page.waitForResponse((response) => response.url().endsWith('/api/jobs/nightly/runs?n=1000'));
    expect(unchanged.status()).toBe(304);
    expect(await page.$$eval('#runs tbody tr', (trs) => trs.length)).toBe(4);
    expect(problems).toEqual([]);
  });

  it('says it is loading the jobs, that there are none, and why it cannot load them; a healed job shows as a warning', async () => {
    const box = sandbox();
    const server = await serveOwn(box);
    let hold: { release: () => void } | undefined;
    const { page, problems } = await openPage(`${server.url}/`, async (p) => void (hold = await holdJobList(p)));
    await page.waitForSelector('#jobs tbody tr[data-placeholder="loading"]');
    expect(await page.textContent('#jobs tbody')).toBe('Loading the jobs…');
    hold!.release();
    await page.waitForSelector('#jobs tbody tr[data-placeholder="none"]');
    expect(await page.textContent('#jobs tbody')).toMatch(/^No jobs yet/);
    await page.screenshot({ path: join(SHOTS, 'no-jobs.png'), fullPage: true });

    // A failure the heal fixed counts as a warning, on the page as in the history.
    expect((await cronwrap(['--name', 'healed', '--on-failure', 'true', '-c', 'exit 2'], box)).exitCode).toBe(2);
    await page.waitForSelector('#jobs tbody tr[data-job="healed"][data-state="warning"]');
    expect(await page.textContent('#jobs tr[data-job="healed"] .state')).toBe('warning');

    expect(problems).toEqual([]);

    // The server goes away: the jobs shown stay, and the page says they are old and why.
    await stop(server);
    await page.waitForSelector('.problem >> text=/^Cannot refresh the jobs \\(shown as they were/');
    expect(await page.$$eval('#jobs tbody tr[data-job]', (trs) => trs.length)).toBe(1);
    expect(problems.filter((problem) => !problem.includes('ERR_CONNECTION_REFUSED'))).toEqual([]); // the browser's own note of it aside
    await page.close();

    // Gone before the first answer: the table says why it is empty.
    const next = await serveOwn(box);
    const failing = await openPage(`${next.url}/`, async (p) => void (hold = await holdJobList(p)));
    await failing.page.waitForSelector('#jobs tbody tr[data-placeholder="loading"]');
    await stop(next);
    hold!.release();
    await failing.page.waitForSelector('#jobs tbody tr[data-placeholder="error"]');
    expect(await failing.page.textContent('#jobs tbody')).toMatch(/^Cannot load the jobs: /);
    await failing.page.close();
  });

  it("streams a job started while the page is open into it, across logrotate, and shows markup in its output as text", async () => {
    const box = sandbox();
    const url = await serve(box);
    const { page, problems } = await openPage(`${url}/jobs/live`);
    await page.waitForSelector('#tail-status.live');

    const gate = join(box.dir, 'gate');
    const log = join(box.logDir, 'live.log');
    const script = [
      'echo "hello from the job"',
      'echo "<script>alert(1)</script><img src=x onerror=alert(2)>"',
      'echo "a warning" >&2',
      `while [ ! -e ${gate} ]; do sleep 0.05; done`,
      `while [ ! -e ${log} ]; do echo waiting; sleep 0.1; done`,
      'echo "after the rotation"',
    ].join('; ');
    const job = cronwrapProcess(['--name', 'live', '-c', script], box);
    await page.waitForSelector('#tail .line-err >> text=a warning');
    expect(await page.textContent('#tail')).toContain('hello from the job');
    expect(await page.textContent('#tail')).toContain('<script>alert(1)</script><img src=x onerror=alert(2)>');
    expect(await page.$$('#tail script, #tail img')).toHaveLength(0);
    await page.screenshot({ path: join(SHOTS, 'live.png'), fullPage: true });

    renameSync(log, `${log}.1`);
    writeFileSync(gate, '');
    await page.waitForSelector('#tail .line-out >> text=after the rotation');
    expect((await job).exitCode).toBe(0);
    await page.waitForSelector('#tail .line-meta >> text=/^end job=live/');

    // The run's log section, on demand, shows the same markup as text.
    await page.reload();
    await page.waitForSelector('#runs button[data-run]');
    await page.click('#runs button[data-run]');
    await page.waitForSelector('#run-log .line-out >> text=hello from the job');
    expect(await page.textContent('#run-log')).toContain('<script>alert(1)</script>');
    // The run began in the file logrotate renamed and ended in the new one: the section spans both.
    await page.waitForSelector('#run-log .line-out >> text=after the rotation');
    expect(await page.textContent('#run-log h3')).toContain(`from ${log}.1 and ${log}`);
    expect(await page.$$('#run-log script, #run-log img')).toHaveLength(0);
    await page.screenshot({ path: join(SHOTS, 'run-log.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
