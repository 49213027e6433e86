// The operator dashboard: reads the REST routes of the job API (the same services gRPC clients use) once a
// second and draws them. Every value from the farm goes into the page as text (textContent), never as markup:
// job labels, error messages and output names are user data.
'use strict';

const query = new URLSearchParams(location.search);
const refreshMs = Math.max(250, Number(query.get('refresh')) || 1000);
const pageSize = Math.min(500, Math.max(1, Number(query.get('pageSize')) || 50));
const requestTimeoutMs = 10_000;
// The API's routes relative to this page (/dashboard/ → /), so the page also works behind a proxy's path prefix.
const apiBase = new URL('../', location.href);
const apiUrl = (path) => new URL(path.replace(/^\//, ''), apiBase).toString();
const state = {
  key: localStorage.getItem('media.apiKey') || '',
  tenant: localStorage.getItem('media.tenant') || '',
  filter: '',
  label: '',
  // Keyset paging: the token of each page shown so far (the first is ''), so "newest" and "older" are exact.
  pages: [''],
  nextPage: '',
  selected: new URLSearchParams(location.hash.slice(1)).get('job'),
  outputsShown: '',
  outputsExpire: 0,
  links: new Map(),
  // The selected job's panel is scrolled into view once, when it is first drawn.
  scrollPending: false,
  // The live progress events of the selected running job (speed, fps), from its NDJSON watch stream.
  follow: { jobId: null, controller: null, speed: 0, fps: 0 },
};

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function authHeaders(accept) {
  const headers = { accept };
  if (state.key) headers.authorization = 'Bearer ' + state.key;
  if (state.tenant) headers['media-tenant'] = state.tenant;
  return headers;
}

async function api(path, method = 'GET') {
  const headers = authHeaders('application/json');
  const init = { method, headers, cache: 'no-store' };
  if (method !== 'GET') {
    headers['content-type'] = 'application/json';
    init.body = '{}';
  }
  // A request that hangs must not hold up the page: it is abandoned and the next refresh asks again.
  init.signal = AbortSignal.timeout(requestTimeoutMs);
  const response = await fetch(apiUrl(path), init);
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  if (!response.ok) {
    throw new ApiError(response.status, (body && body.message) || `${response.status} ${response.statusText}`);
  }
  if (body === null || typeof body !== 'object') {
    // E.g. a proxy's login page answering 200 in place of the API.
    throw new ApiError(response.status, `${path} did not answer with JSON`);
  }
  return body;
}

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null) continue;
    if (name.startsWith('data-')) node.setAttribute(name, String(value));
    else if (name === 'class') node.className = value;
    else node[name] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const $ = (id) => document.getElementById(id);
const short = (enumName, prefix) => (enumName || '').replace(prefix, '').toLowerCase() || '—';
const jobState = (s) => short(s, 'JOB_STATE_');
const stageState = (s) => short(s, 'STAGE_STATE_');
const percent = (p) => `${Math.round((p || 0) * 100)}%`;
// 754.2 -> "12:34"
const formatSeconds = (t) => `${Math.floor(t / 60)}:${String(Math.floor(t % 60)).padStart(2, '0')}`;

function ago(timestamp) {
  if (!timestamp) return '—';
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(timestamp)) / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  return new Date(timestamp).toLocaleString();
}

// Absolute times for rows kept across refreshes (a relative one would go stale in a row that is not redrawn), with
// the date and the zone: an operator comparing with logs or a colleague elsewhere must not guess either.
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'long' });
function when(timestamp) {
  if (!timestamp) return '—';
  return timeFormat.format(new Date(timestamp));
}

// The bar takes the colour of the state: a cancelled or failed job's bar stops grey or red where it stopped.
function progressCell(value, active, stateName) {
  const bar = el('progress', { max: 1, value: value || 0, class: 'state-' + stateName });
  return el('td', { 'data-progress': (value || 0).toFixed(4) }, bar, ' ', active ? percent(value) : '');
}

// A table row that opens a job: by pointer, and by keyboard (Tab to it, Enter or Space).
function jobRow(jobId, props, ...cells) {
  const open = () => select(jobId);
  return el('tr', {
    ...props,
    tabIndex: 0,
    onclick: (e) => { if (!e.target.closest('a')) open(); },
    onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); } },
  }, ...cells);
}

// A row is kept while what it shows is unchanged, so the row under the pointer survives a refresh and clicks land.
const signatures = new WeakMap();

function setRows(table, items, key, build, noteId) {
  const body = table.tBodies[0];
  const old = new Map([...body.rows].map((row) => [row.dataset.key, row]));
  const rows = items.map((item) => {
    const signature = JSON.stringify(item);
    const existing = old.get(key(item));
    if (existing && signatures.get(existing) === signature) return existing;
    const row = build(item);
    row.dataset.key = key(item);
    signatures.set(row, signature);
    return row;
  });
  if (rows.length !== body.rows.length || rows.some((row, i) => body.rows[i] !== row)) body.replaceChildren(...rows);
  if (noteId) $(noteId).hidden = rows.length > 0;
}

function renderQueues(status) {
  const byPool = new Map();
  for (const q of status.queues || []) {
    if (!byPool.has(q.pool)) byPool.set(q.pool, {});
    byPool.get(q.pool)[q.priority] = Number(q.depth || 0);
  }
  setRows($('queues'), [...byPool], ([pool]) => pool, ([pool, depth]) => el('tr', { 'data-pool': pool },
    el('th', {}, pool),
    ...['high', 'normal', 'bulk', 'held'].map((priority) =>
      el('td', { class: 'num', 'data-priority': priority }, depth[priority] ?? 0))));
}

function renderWorkers(status) {
  const workers = status.workers || [];
  setRows($('workers'), workers, (w) => w.workerId, (w) => {
    const running = (w.running || []).map((r) => el('div', {}, `${r.kind} `, jobLink(r.jobId), r.attempt > 1 ? ` (attempt ${r.attempt})` : ''));
    const caps = (w.capabilities || []).map((c) => el('span', { class: 'cap ' + (c.available ? 'yes' : 'no'), title: c.detail || '', 'data-capability': c.name, 'data-available': String(!!c.available) }, c.name));
    const devices = (w.devices || []).length ? el('div', { class: 'hint' }, w.devices.join(', ')) : null;
    return el('tr', { 'data-worker-id': w.workerId, 'data-pool': w.pool },
      el('td', {}, w.workerId, el('div', { class: 'hint' }, `${w.host || ''} ${w.version ? 'v' + w.version : ''}`)),
      el('td', {}, w.pool, w.takingWork ? '' : el('div', { class: 'error' }, 'takes no work')),
      el('td', { class: 'num', 'data-busy': (w.running || []).length }, `${(w.running || []).length} / ${w.slots}`),
      el('td', {}, ...running),
      el('td', {}, ...caps, devices),
      el('td', {}, ago(w.lastSeenAt)));
  }, 'workers-note');
  $('workers-count').textContent = `${workers.length} announced`;
}

function jobLink(jobId) {
  return el('a', { href: '#job=' + encodeURIComponent(jobId), onclick: (e) => { e.preventDefault(); select(jobId); } }, jobId);
}

function labelsText(labels) {
  return Object.entries(labels || {}).map(([k, v]) => `${k}=${v}`).join(' ');
}

function renderJobs(list) {
  state.nextPage = list.nextPageToken || '';
  $('jobs-older').hidden = !state.nextPage;
  $('jobs-newest').hidden = state.pages.length === 1;
  $('jobs-page').textContent = state.pages.length > 1 ? `page ${state.pages.length}` : '';
  const items = (list.jobs || []).map((job) => ({ job, selected: job.id === state.selected }));
  setRows($('jobs'), items, (item) => item.job.id, ({ job, selected }) => {
    const s = jobState(job.state);
    return jobRow(job.id, { class: 'clickable' + (selected ? ' selected' : ''), 'data-job-id': job.id, 'data-state': s },
      el('td', {}, jobLink(job.id)),
      el('td', {}, job.patternName),
      el('td', { class: 'state state-' + s }, s, job.deadLettered ? ' (dead-lettered)' : ''),
      progressCell(job.progress, s === 'running', s),
      el('td', {}, short(job.priority, 'PRIORITY_')),
      el('td', {}, when(job.createdAt)),
      el('td', {}, labelsText(job.labels)));
  }, 'jobs-note');
}

function renderFailures(list) {
  setRows($('failures'), list.jobs || [], (job) => job.id, (job) => jobRow(job.id, { class: 'clickable', 'data-job-id': job.id },
    el('td', {}, jobLink(job.id)),
    el('td', {}, job.patternName),
    el('td', { class: 'error', 'data-error-code': job.error?.code || '' }, job.error?.code || '—', job.deadLettered ? ' (dead-lettered)' : ''),
    el('td', {}, job.error?.message || ''),
    el('td', {}, when(job.finishedAt))), 'failures-note');
}

function select(jobId) {
  if (jobId !== state.selected) {
    clearTable('stages');
    $('outputs').replaceChildren();
  }
  state.selected = jobId;
  state.scrollPending = !!jobId;
  state.outputsShown = '';
  history.replaceState(null, '', jobId ? '#job=' + encodeURIComponent(jobId) : location.pathname + location.search);
  refreshSoon();
}

async function renderDetail() {
  const panel = $('job-detail');
  const selected = state.selected;
  if (!selected) {
    panel.hidden = true;
    return;
  }
  const job = await api('/v1/jobs/' + encodeURIComponent(selected));
  // Another job was chosen (or the panel closed) while this one loaded: draw nothing stale.
  if (state.selected !== selected) return;
  const s = jobState(job.state);
  panel.hidden = false;
  $('detail-id').textContent = job.id;
  $('detail-state').textContent = s;
  $('detail-state').className = 'state state-' + s;
  $('detail-cancel').hidden = !(s === 'queued' || s === 'running');
  $('detail-retry').hidden = s !== 'failed';
  $('detail-error').hidden = !job.error;
  $('detail-error').textContent = job.error ? `${job.error.code}: ${job.error.message}` : '';
  const warnings = job.warnings || [];
  $('detail-warnings').hidden = warnings.length === 0;
  $('detail-warnings').textContent = warnings.map((w) => `warning ${w.code}: ${w.message}`).join('\n');
  $('detail-stderr').hidden = !job.error?.toolStderrTail;
  $('detail-stderr').textContent = job.error?.toolStderrTail || '';
  follow(job, s);
  $('detail-summary').textContent = summary(job, s);
  setRows($('stages'), inRunOrder(job.stages || []), (st) => st.id, (st) => {
    const ss = stageState(st.state);
    return el('tr', { 'data-stage-id': st.id, 'data-started': st.startedAt || '' },
      el('td', {}, short(st.kind, 'STAGE_KIND_')),
      // Analysis chunks say which part of the source they measure, render parts which part of their output (the
      // sound stage of a chunked render: the whole of it, so it says "sound").
      // A variant made by another render's ffmpeg (one decode for several shapes) says whose.
      el('td', {}, [st.outputName, st.id.endsWith('.sound') ? 'sound' : st.rangeEndSeconds ? `${formatSeconds(st.rangeStartSeconds || 0)}–${formatSeconds(st.rangeEndSeconds)}` : '',
        st.renderedBy ? `(with ${(job.stages || []).find((o) => o.id === st.renderedBy)?.outputName || st.renderedBy})` : ''].filter(Boolean).join(' ')),
      el('td', { class: 'state state-' + ss }, ss),
      progressCell(st.progress, ss === 'running', ss),
      el('td', { class: 'num' }, st.attempt || 0),
      el('td', {}, st.workerId || ''),
      el('td', { class: 'error' }, st.error ? `${st.error.code}: ${st.error.message}` : ''));
  });
  if (state.scrollPending) {
    state.scrollPending = false;
    panel.scrollIntoView({ block: 'start' });
  }
  await renderOutputs(job);
  // Said last, so a panel that says "succeeded" shows that state's outputs, not the ones drawn while it ran.
  if (state.selected === job.id) {
    panel.dataset.jobId = job.id;
    panel.dataset.state = s;
  }
}

// Stages as they run: by when they started (waiting ones last, in the order the job runs its kinds), then by id.
const kindOrder = ['STAGE_KIND_PROBE', 'STAGE_KIND_ANALYZE_CHUNK', 'STAGE_KIND_ANALYZE', 'STAGE_KIND_RENDER_CHUNK', 'STAGE_KIND_RENDER', 'STAGE_KIND_THUMBNAIL'];
function inRunOrder(stages) {
  const started = (st) => (st.startedAt ? Date.parse(st.startedAt) : Infinity);
  return [...stages].sort((a, b) => started(a) - started(b)
    || kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind)
    || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

// One line about the job: its source, title, how long it has run, and while running its ETA, speed and frame rate.
function summary(job, s) {
  const parts = [];
  const source = (job.sourceKey || '').split('/').pop();
  if (source) parts.push('source ' + source);
  if (job.parameters?.title) parts.push(`title “${job.parameters.title}”`);
  const started = Date.parse(job.createdAt);
  const ended = job.finishedAt ? Date.parse(job.finishedAt) : Date.now();
  if (started) parts.push((job.finishedAt ? 'took ' : 'elapsed ') + formatSeconds(Math.max(0, ended - started) / 1000));
  if (s === 'running') {
    const p = job.progress || 0;
    if (p >= 0.02 && started) parts.push('ETA ' + formatSeconds(((Date.now() - started) / 1000) * (1 - p) / p));
    const live = state.follow.jobId === job.id ? state.follow : null;
    if (live && live.speed) parts.push(`${live.speed.toFixed(2)}x real time`);
    if (live && live.fps) parts.push(`${Math.round(live.fps)} fps`);
  }
  if (job.sourceInfo?.durationSeconds) parts.push(`${formatSeconds(job.sourceInfo.durationSeconds)} of source`);
  return parts.join(' · ');
}

// The selected running job's events, read from its watch stream (NDJSON: one event per line) while it runs.
function follow(job, s) {
  const live = state.follow;
  if (live.jobId === job.id && s === 'running') return;
  if (live.controller) live.controller.abort();
  Object.assign(live, { jobId: null, controller: null, speed: 0, fps: 0 });
  if (s !== 'running') return;
  const controller = new AbortController();
  Object.assign(live, { jobId: job.id, controller });
  const after = Math.max(0, Number(job.lastSequence || 0) - 1);
  (async () => {
    const response = await fetch(apiUrl(`/v1/jobs/${encodeURIComponent(job.id)}:watch?afterSequence=${after}`),
      { headers: authHeaders('application/x-ndjson'), cache: 'no-store', signal: controller.signal });
    if (!response.ok || !response.body) return;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end).trim();
        buffer = buffer.slice(end + 1);
        const event = line ? JSON.parse(line) : null;
        if (event?.progress && live.jobId === job.id) {
          live.speed = event.progress.speed || live.speed;
          live.fps = event.progress.fps || live.fps;
        }
      }
    }
  })().catch(() => { /* aborted, or the stream broke: the next refresh follows again */ }).finally(() => {
    if (live.controller === controller) Object.assign(live, { jobId: null, controller: null });
  });
}

// Previews are rebuilt only when the set of outputs changes: rebuilding a playing video every second would restart it.
async function renderOutputs(job) {
  const outputs = job.outputs || [];
  const signature = job.id + '|' + outputs.map((o) => o.name + ':' + o.sha256).join(',');
  // Rebuilt when the outputs change, and before their links expire (an open player could not seek any more).
  if (signature === state.outputsShown && Date.now() < state.outputsExpire - 60_000) return;
  const figures = [];
  let expires = Infinity;
  // A video shows a cover of the job before it plays, not a black box: the cover whose shape is closest to the video's.
  const covers = outputs.filter((o) => (o.contentType || '').startsWith('image/') && o.width && o.height);
  const posterFor = async (video) => {
    const aspect = (o) => Math.log(o.width / o.height);
    const cover = covers.sort((a, b) => Math.abs(aspect(a) - aspect(video)) - Math.abs(aspect(b) - aspect(video)))[0];
    return cover && video.width ? (await linkFor(job.id, cover.name)).url : undefined;
  };
  for (const output of outputs) {
    const link = await linkFor(job.id, output.name);
    if (state.selected !== job.id) return;
    expires = Math.min(expires, Date.parse(link.expiresAt) || Infinity);
    const type = output.contentType || link.contentType || '';
    const caption = el('figcaption', {}, `${output.name} · ${output.width ? output.width + '×' + output.height + ' · ' : ''}${formatBytes(output.sizeBytes)}${output.encoder ? ' · ' + output.encoder : ''}${output.device ? ' · ' + output.device : ''}`);
    let preview;
    if (type.startsWith('video/')) {
      const poster = await posterFor(output);
      if (state.selected !== job.id) return;
      preview = el('video', { src: link.url, poster, controls: true, preload: 'metadata', muted: true, playsInline: true });
    }
    else if (type.startsWith('image/')) preview = el('img', { src: link.url, alt: output.name });
    else preview = el('a', { href: link.url, target: '_blank', rel: 'noopener' }, 'open');
    figures.push(el('figure', { 'data-output': output.name, 'data-content-type': type }, preview, caption));
  }
  $('outputs').replaceChildren(...figures);
  state.outputsShown = signature;
  state.outputsExpire = expires;
}

async function linkFor(jobId, name) {
  const cacheKey = jobId + '/' + name;
  const cached = state.links.get(cacheKey);
  if (cached && Date.parse(cached.expiresAt) - Date.now() > 60_000) return cached;
  const link = await api(`/v1/jobs/${encodeURIComponent(jobId)}/outputs/${encodeURIComponent(name)}:link`);
  // Links the API serves itself are paths from its root; presigned storage links are absolute already.
  if (link.url.startsWith('/')) link.url = apiUrl(link.url);
  state.links.set(cacheKey, link);
  return link;
}

function formatBytes(value) {
  const n = Number(value || 0);
  if (n >= 1 << 30) return (n / (1 << 30)).toFixed(1) + ' GiB';
  if (n >= 1 << 20) return (n / (1 << 20)).toFixed(1) + ' MiB';
  if (n >= 1 << 10) return (n / (1 << 10)).toFixed(0) + ' KiB';
  return n + ' B';
}

let timer = null;
let refreshing = false;
let again = false;

function refreshSoon() {
  if (refreshing) {
    again = true;
    return;
  }
  clearTimeout(timer);
  timer = setTimeout(refresh, 0);
}

function clearTable(id) {
  $(id).tBodies[0].replaceChildren();
}

// What one key showed must not stay on screen for the next (or after "Forget").
function forgetShown() {
  for (const id of ['queues', 'workers', 'jobs', 'failures', 'stages']) clearTable(id);
  $('outputs').replaceChildren();
  $('job-detail').hidden = true;
  if (state.follow.controller) state.follow.controller.abort();
  state.links.clear();
  state.outputsShown = '';
  state.outputsExpire = 0;
}

async function refresh() {
  clearTimeout(timer);
  if (refreshing) return;
  refreshing = true;
  again = false;
  try {
    const problems = [];
    const page = state.pages[state.pages.length - 1];
    const jobsPath = `/v1/jobs?pageSize=${pageSize}` + (state.filter ? '&state=' + state.filter : '') + (state.label ? '&label=' + encodeURIComponent(state.label) : '') + (page ? '&pageToken=' + encodeURIComponent(page) : '');
    const [farm, jobs, failures] = await Promise.allSettled([api('/v1/farm'), api(jobsPath), api('/v1/jobs?state=JOB_STATE_FAILED&pageSize=20')]);
    if (farm.status === 'fulfilled') {
      renderQueues(farm.value);
      renderWorkers(farm.value);
      $('queues-note').hidden = true;
    } else {
      problems.push('farm: ' + farm.reason.message);
      clearTable('queues');
      clearTable('workers');
      $('queues-note').hidden = false;
      $('queues-note').textContent = farm.reason.message;
    }
    if (jobs.status === 'fulfilled') renderJobs(jobs.value); else { problems.push('jobs: ' + jobs.reason.message); clearTable('jobs'); }
    if (failures.status === 'fulfilled') renderFailures(failures.value); else { problems.push('failures: ' + failures.reason.message); clearTable('failures'); }
    try {
      await renderDetail();
    } catch (e) {
      problems.push('job: ' + e.message);
    }
    const status = $('status');
    status.className = problems.length ? 'down' : '';
    status.textContent = problems.length ? problems.join(' · ') : `updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.refreshed = String(Date.now());
  } catch (e) {
    $('status').className = 'down';
    $('status').textContent = 'refresh failed: ' + e.message;
  } finally {
    refreshing = false;
    timer = setTimeout(refresh, again ? 0 : document.hidden ? refreshMs * 5 : refreshMs);
  }
}

// Admins may look at any tenant: offer the tenants that have keys. Anyone else's key is refused here, harmlessly.
async function fillTenants() {
  if (!state.key) {
    $('tenants').replaceChildren();
    return;
  }
  try {
    const keys = await api('/v1/admin/keys');
    const tenants = [...new Set((keys.keys || []).map((k) => k.tenant))].sort();
    $('tenants').replaceChildren(...tenants.map((t) => el('option', { value: t })));
  } catch {
    $('tenants').replaceChildren();
  }
}

async function act(verb) {
  if (!state.selected) return;
  try {
    await api(`/v1/jobs/${encodeURIComponent(state.selected)}:${verb}`, 'POST');
  } catch (e) {
    $('status').textContent = `${verb}: ${e.message}`;
    $('status').className = 'down';
  }
  refreshSoon();
}

document.addEventListener('DOMContentLoaded', () => {
  $('api-key').value = state.key;
  $('tenant').value = state.tenant;
  $('access-form').addEventListener('submit', (e) => {
    e.preventDefault();
    state.key = $('api-key').value.trim();
    state.tenant = $('tenant').value.trim();
    localStorage.setItem('media.apiKey', state.key);
    localStorage.setItem('media.tenant', state.tenant);
    state.pages = [''];
    forgetShown();
    fillTenants();
    refreshSoon();
  });
  $('forget').addEventListener('click', () => {
    localStorage.removeItem('media.apiKey');
    localStorage.removeItem('media.tenant');
    state.key = state.tenant = '';
    $('api-key').value = $('tenant').value = '';
    state.pages = [''];
    forgetShown();
    fillTenants();
    refreshSoon();
  });
  $('state-filter').addEventListener('change', (e) => { state.filter = e.target.value; state.pages = ['']; refreshSoon(); });
  $('label-filter').addEventListener('change', (e) => { state.label = e.target.value.trim(); state.pages = ['']; refreshSoon(); });
  $('jobs-older').addEventListener('click', () => { if (state.nextPage) { state.pages.push(state.nextPage); refreshSoon(); } });
  $('jobs-newest').addEventListener('click', () => { state.pages = ['']; refreshSoon(); });
  fillTenants();
  $('detail-close').addEventListener('click', () => select(null));
  // Cancelling cannot be undone: the operator says so first.
  $('detail-cancel').addEventListener('click', () => {
    if (state.selected && confirm(`Cancel job ${state.selected}? Its running stages stop now; a cancelled job cannot be resumed.`)) act('cancel');
  });
  $('detail-retry').addEventListener('click', () => act('retry'));
  refresh();
});
