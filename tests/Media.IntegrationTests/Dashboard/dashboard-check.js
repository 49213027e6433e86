// Drives the operator dashboard in headless Chromium and reports what the page showed, as one JSON object on
// stdout; DashboardBrowserTests compares it with what the API says. Screenshots go to the artifacts folder.
// Usage: node dashboard-check.js <playwright-core dir> <chromium> <dashboard url> <artifacts dir> <long job> <short job> <failed job> <label filter>
'use strict';
const path = require('path');
const [playwrightDir, chromiumPath, url, artifacts, longJob, shortJob, failedJob, labelFilter] = process.argv.slice(2);
const { chromium } = require(playwrightDir);

const deadline = (seconds) => Date.now() + seconds * 1000;

async function main() {
  const report = { problems: [], consoleErrors: [], progress: [], screenshots: [], maxQueued: 0, workerShowedLongJob: false };
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => report.consoleErrors.push('pageerror: ' + e.message));
    page.on('console', (m) => { if (m.type() === 'error') report.consoleErrors.push(m.text()); });
    const shot = async (name) => {
      const file = path.join(artifacts, name);
      await page.screenshot({ path: file, fullPage: true });
      report.screenshots.push(file);
    };

    // The running long job opened from the keyboard (Tab to its row, Enter), as an operator without a mouse would.
    const followRunningJob = async () => {
      const row = page.locator(`#jobs tbody tr[data-job-id="${longJob}"]`);
      // A row is redrawn when its progress changes, which may take the focus with it: press again until it opens.
      for (let i = 0; i < 10 && !(await page.locator(`#job-detail[data-job-id="${longJob}"]`).count()); i++) {
        await row.press('Enter').catch(() => {});
        await page.waitForTimeout(300);
      }
      report.idIsLink = await row.locator('td:first-child a[href^="#job="]').count() === 1;
      report.detailInView = await page.evaluate(() => {
        const box = document.getElementById('job-detail').getBoundingClientRect();
        return box.top >= 0 && box.top < window.innerHeight;
      });
      // The summary line of a running job: its source, elapsed time, ETA and, from its event stream, speed and fps.
      for (const end = deadline(60); Date.now() < end;) {
        report.runningSummary = await page.locator('#detail-summary').textContent();
        if (/fps/.test(report.runningSummary) || await page.locator('#job-detail[data-state="succeeded"]').count()) break;
        await page.waitForTimeout(100);
      }
      // Cancel asks first; dismissed, nothing happens (the job goes on to succeed).
      if (await page.locator('#detail-cancel').isVisible()) {
        page.once('dialog', (d) => { report.cancelDialog = d.message(); d.dismiss().catch(() => {}); });
        await page.locator('#detail-cancel').click();
      }
      report.createdText = await row.locator('td:nth-child(6)').textContent();
    };

    await page.goto(url);
    const worker = page.locator('#workers tbody tr[data-worker-id]').first();
    await worker.waitFor({ timeout: 30_000 });
    report.worker = await worker.evaluate((row) => ({
      id: row.dataset.workerId,
      pool: row.dataset.pool,
      capabilities: Object.fromEntries([...row.querySelectorAll('[data-capability]')].map((c) => [c.dataset.capability, c.dataset.available === 'true'])),
    }));

    // Follow the long job as the page shows it, sampling faster than the page refreshes.
    let sawRunning = false;
    for (const end = deadline(120); Date.now() < end;) {
      const sample = await page.evaluate(({ longJob }) => {
        const row = document.querySelector(`#jobs tbody tr[data-job-id="${longJob}"]`);
        const queued = [...document.querySelectorAll('#queues tbody tr[data-pool="cpu"] td[data-priority]')].reduce((n, td) => n + Number(td.textContent), 0);
        const workers = [...document.querySelectorAll('#workers tbody tr')].map((tr) => tr.textContent).join(' ');
        if (!row) return { queued, workers };
        return { state: row.dataset.state, progress: Number(row.querySelector('[data-progress]').dataset.progress), queued, workers };
      }, { longJob });
      report.maxQueued = Math.max(report.maxQueued, sample.queued);
      if (sample.workers.includes(longJob)) report.workerShowedLongJob = true;
      if (sample.state) {
        const last = report.progress[report.progress.length - 1];
        if (!last || last.state !== sample.state || last.progress !== sample.progress) report.progress.push({ state: sample.state, progress: sample.progress });
        if (!sawRunning && sample.state === 'running' && sample.progress > 0 && sample.progress < 1) {
          sawRunning = true;
          await followRunningJob();
          await shot('dashboard-running.png');
        }
        if (['succeeded', 'failed', 'cancelled'].includes(sample.state)) break;
      }
      await page.waitForTimeout(100);
    }

    // The long job carries a label full of markup: it must show as text and run nothing.
    report.hostileLabel = await page.locator(`#jobs tbody tr[data-job-id="${longJob}"] td:last-child`).textContent();
    report.pwned = await page.evaluate(() => window.pwned !== undefined || document.querySelector('#jobs img, #jobs script') !== null);

    const failure = page.locator(`#failures tbody tr[data-job-id="${failedJob}"]`);
    await failure.waitFor({ timeout: 30_000 });
    report.failure = await failure.evaluate((row) => ({ code: row.querySelector('[data-error-code]').dataset.errorCode, text: row.textContent }));

    // Open the short job by clicking its row, as an operator would.
    await page.locator(`#jobs tbody tr[data-job-id="${shortJob}"]`).click();
    await page.locator(`#job-detail[data-job-id="${shortJob}"][data-state="succeeded"]`).waitFor({ timeout: 30_000 });
    await page.locator('#outputs figure').first().waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => {
      const videos = [...document.querySelectorAll('#outputs video')];
      const images = [...document.querySelectorAll('#outputs img')];
      return videos.length > 0 && videos.every((v) => v.readyState >= 1 || v.error) && images.every((i) => i.complete && i.naturalWidth > 0);
    }, null, { timeout: 30_000 });
    report.previews = await page.evaluate(() => [...document.querySelectorAll('#outputs figure')].map((f) => {
      const video = f.querySelector('video');
      const image = f.querySelector('img');
      return {
        name: f.dataset.output,
        element: video ? 'video' : image ? 'img' : 'link',
        width: video ? video.videoWidth : image ? image.naturalWidth : 0,
        height: video ? video.videoHeight : image ? image.naturalHeight : 0,
        duration: video ? video.duration : 0,
        error: video && video.error ? video.error.code : 0,
        poster: video ? video.getAttribute('poster') || '' : '',
      };
    }));
    report.stages = await page.evaluate(() => [...document.querySelectorAll('#stages tbody tr')].map((r) => r.querySelector('.state').textContent));
    report.stageStarts = await page.evaluate(() => [...document.querySelectorAll('#stages tbody tr')].map((r) => r.dataset.started));
    report.stageKinds = await page.evaluate(() => [...document.querySelectorAll('#stages tbody tr')].map((r) => r.cells[0].textContent));
    await shot('dashboard-job.png');

    // Paging through the jobs one at a time: newest, the one before it, and back.
    await page.goto(url + '&pageSize=1');
    const firstRow = page.locator('#jobs tbody tr').first();
    await firstRow.waitFor({ timeout: 30_000 });
    const newest = await firstRow.getAttribute('data-job-id');
    await page.locator('#jobs-older').click();
    await page.waitForFunction((id) => {
      const rows = document.querySelectorAll('#jobs tbody tr');
      return rows.length === 1 && rows[0].dataset.jobId !== id;
    }, newest, { timeout: 30_000 });
    const older = await firstRow.getAttribute('data-job-id');
    const pageLabel = await page.locator('#jobs-page').textContent();
    await page.locator('#jobs-newest').click();
    await page.waitForFunction((id) => document.querySelector('#jobs tbody tr')?.dataset.jobId === id, newest, { timeout: 30_000 });
    report.paging = { newest, older, pageLabel };

    // Filtering by a label whose value is markup with quotes: only the long job is left.
    await page.locator('#label-filter').fill(labelFilter);
    await page.locator('#label-filter').press('Enter');
    await page.waitForFunction((id) => {
      const rows = document.querySelectorAll('#jobs tbody tr');
      return rows.length === 1 && rows[0].dataset.jobId === id;
    }, longJob, { timeout: 30_000 });
    report.labelFiltered = await page.locator('#jobs tbody tr').first().getAttribute('data-job-id');
  } catch (e) {
    report.problems.push(String(e && e.stack || e));
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(report) + '\n');
}

main().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
