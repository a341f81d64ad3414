// Dozor live map: login, live positions over SSE, visit feed, replay.
// Plain ES module, no build step; MapLibre GL is imported from the
// bundled vendor folder when scripts/web has filled it.

const conf = JSON.parse(document.getElementById('dozor-config').textContent);
const $ = (id) => document.getElementById(id);

// ---- Labels -------------------------------------------------------------

const I18N = {
  ru: {
    connecting: 'подключение…', online: 'в эфире', offline: 'нет связи',
    logout: 'Выйти', loginTitle: 'Вход в Dozor', name: 'Имя', password: 'Пароль',
    signIn: 'Войти', badLogin: 'Неверное имя или пароль',
    locked: 'Слишком много попыток, попробуйте позже', loginFailed: 'Вход не удался: ',
    search: 'Поиск по имени или устройству', allTeams: 'Все команды', feed: 'Визиты и тревоги',
    play: '▶ Воспроизвести', pause: '❚❚ Пауза', close: 'Закрыть', day: 'День',
    live: 'на связи', stale: 'давно', offlineS: 'не в сети', never: 'нет данных',
    ago: 'назад', s: 'с', min: 'мин', h: 'ч', d: 'дн',
    counts: (n, l) => `Сборщиков: ${n}, на связи: ${l}`,
    arrived: (who, z) => `${who} прибыл(а) к адресу №${z}`,
    departed: (who, z, m) => `${who} ушёл(ла) от адреса №${z} (${m} мин)`,
    corrected: (who, z) => `Визит ${who} к адресу №${z} исправлен`,
    alarm: (who, what) => `ТРЕВОГА (${what}): ${who}`,
    device: (id) => `Устройство ${id}`, collector: (id) => `Сборщик ${id}`,
    replayOf: (n) => `Маршрут: ${n}`,
    summary: (f, s, v) => `Точек: ${f}, остановок: ${s}, визитов: ${v}`,
    noTrack: 'За этот день точек нет', speed: 'км/ч',
    notBundled: 'Картографическая библиотека не встроена в эту сборку. Выполните ' +
      '<code>scripts/web</code> и пересоберите <code>dozor</code> (go build) — ' +
      'список сборщиков и события работают и без карты.',
  },
  en: {
    connecting: 'connecting…', online: 'live', offline: 'disconnected',
    logout: 'Log out', loginTitle: 'Sign in to Dozor', name: 'Name', password: 'Password',
    signIn: 'Sign in', badLogin: 'Wrong name or password',
    locked: 'Too many attempts, try again later', loginFailed: 'Sign-in failed: ',
    search: 'Search by name or device', allTeams: 'All teams', feed: 'Visits and alarms',
    play: '▶ Play', pause: '❚❚ Pause', close: 'Close', day: 'Day',
    live: 'live', stale: 'stale', offlineS: 'offline', never: 'no data',
    ago: 'ago', s: 's', min: 'min', h: 'h', d: 'd',
    counts: (n, l) => `Collectors: ${n}, live: ${l}`,
    arrived: (who, z) => `${who} arrived at address #${z}`,
    departed: (who, z, m) => `${who} left address #${z} (${m} min)`,
    corrected: (who, z) => `Visit of ${who} at address #${z} corrected`,
    alarm: (who, what) => `ALARM (${what}): ${who}`,
    device: (id) => `Device ${id}`, collector: (id) => `Collector ${id}`,
    replayOf: (n) => `Day of ${n}`,
    summary: (f, s, v) => `Fixes: ${f}, stops: ${s}, visits: ${v}`,
    noTrack: 'No fixes on this day', speed: 'km/h',
    notBundled: 'The map library is not bundled in this build. Run ' +
      '<code>scripts/web</code> and rebuild <code>dozor</code> (go build); ' +
      'the collector list and the event feed work without the map.',
  },
};
let lang = localStorage.getItem('dozor.lang') ||
  (navigator.language.toLowerCase().startsWith('ru') ? 'ru' : 'en');

function t(key, ...args) {
  const v = I18N[lang][key] ?? I18N.en[key] ?? key;
  return typeof v === 'function' ? v(...args) : v;
}

function applyLabels() {
  document.documentElement.lang = lang;
  $('lang').textContent = lang === 'ru' ? 'EN' : 'RU';
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  if (conf.bundled === false) notice(t('notBundled'));
  $('replay-play').textContent = replay.timer ? t('pause') : t('play');
  renderList();
  renderFeed();
}

function notice(html) {
  $('notice').innerHTML = html;
  $('notice').hidden = false;
}

// ---- State --------------------------------------------------------------

const state = {
  me: null,
  collectors: new Map(), // id -> collector with devices
  marks: new Map(), // key -> latest position
  trails: new Map(), // key -> [[lon, lat, t]]
  skew: 0, // server clock minus ours, ms
  stale: 120, offline: 900, // seconds, from the snapshot
  team: '', search: '', selected: null,
  feed: [], feedSeen: new Set(),
  bbox: null, // the viewport the stream is filtered to
  fitted: false,
  snapshots: 0, fixes: 0,
};
let map = null;
let es = null;
const replay = { data: null, timer: null, collector: null };

const keyOf = (p) => (p.collector ? p.collector : -p.device);

function nameOf(key) {
  if (key < 0) return t('device', -key);
  return state.collectors.get(key)?.name ?? t('collector', key);
}

function now() { return Date.now() + state.skew; }

function statusOf(ms) {
  const age = (now() - ms) / 1000;
  if (age >= state.offline) return 'offline';
  if (age >= state.stale) return 'stale';
  return 'live';
}

function fmtAge(ms) {
  if (!ms) return t('never');
  const s = Math.max(0, Math.round((now() - ms) / 1000));
  if (s < 60) return `${s} ${t('s')} ${t('ago')}`;
  if (s < 3600) return `${Math.floor(s / 60)} ${t('min')} ${t('ago')}`;
  if (s < 172800) return `${Math.floor(s / 3600)} ${t('h')} ${Math.floor(s % 3600 / 60)} ${t('min')} ${t('ago')}`;
  return new Date(ms).toLocaleString(lang);
}

const fmtTime = (ms) => new Date(ms).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });

// ---- API ----------------------------------------------------------------

async function api(path, opts = {}) {
  const r = await fetch(path, { credentials: 'same-origin', ...opts });
  if (r.status === 401) {
    showLogin();
    throw new Error('unauthorized');
  }
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.status === 204 ? null : r.json();
}

async function start() {
  applyLabels();
  $('lang').onclick = () => {
    lang = lang === 'ru' ? 'en' : 'ru';
    localStorage.setItem('dozor.lang', lang);
    applyLabels();
  };
  $('login').onsubmit = login;
  $('logout').onclick = logout;
  const r = await fetch('/api/v1/me', { credentials: 'same-origin' });
  if (!r.ok) return showLogin();
  state.me = await r.json();
  showApp();
}

function showLogin() {
  if (es) es.close();
  es = null;
  $('app').hidden = true;
  $('logout').hidden = true;
  $('who').textContent = '';
  $('login').hidden = false;
  $('login-name').focus();
}

async function login(ev) {
  ev.preventDefault();
  $('login-error').textContent = '';
  const body = JSON.stringify({ name: $('login-name').value, password: $('login-password').value,
    session: 'web' });
  const r = await fetch('/api/v1/auth/login', { method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' }, body });
  if (!r.ok) {
    const msg = r.status === 401 ? t('badLogin') : r.status === 429 ? t('locked')
      : t('loginFailed') + ((await r.json().catch(() => ({}))).error || r.status);
    $('login-error').textContent = msg;
    return;
  }
  $('login-password').value = '';
  state.me = (await r.json()).user;
  showApp();
}

async function logout() {
  await fetch('/api/v1/auth/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => {});
  location.reload();
}

let started = false;

async function showApp() {
  $('login').hidden = true;
  $('app').hidden = false;
  $('logout').hidden = false;
  $('who').textContent = `${state.me.name} (${state.me.role})`;
  if (started) return connect();
  started = true;
  $('search').oninput = (e) => { state.search = e.target.value.toLowerCase(); renderList(); };
  $('team').onchange = (e) => { state.team = e.target.value; renderList(); connect(); };
  setupReplay();
  await loadCollectors();
  if (conf.bundled) await initMap();
  else $('map').innerHTML = `<div class="nomap">${t('notBundled')}</div>`;
  loadVisits();
  connect();
  setInterval(tick, 1000);
  setInterval(loadCollectors, 60000);
  window.dozor.resolveReady();
}

async function loadCollectors() {
  const cs = await api('/api/v1/live/collectors');
  for (const c of cs) {
    state.collectors.set(c.id, c);
    if (c.last && !state.marks.has(c.id)) {
      state.marks.set(c.id, { collector: c.id, device: c.last.device, t: c.last.t,
        lat: c.last.lat, lon: c.last.lon, speed: c.last.speed, course: c.last.course });
    }
  }
  const teams = new Set([...state.collectors.values()].map((c) => c.team).filter(Boolean));
  const sel = $('team');
  const have = new Set([...sel.options].map((o) => o.value));
  for (const team of [...teams].sort()) {
    if (!have.has(team)) sel.add(new Option(team, team));
  }
  renderList();
  drawPositions();
}

async function loadVisits() {
  const vs = await api('/api/v1/live/visits').catch(() => []);
  for (const v of vs) {
    addFeed({ type: 'visit.arrived', visit: v }, false);
    if (v.departed_at) addFeed({ type: 'visit.departed', visit: v }, false);
  }
  renderFeed();
}

// ---- Live stream --------------------------------------------------------

function connect() {
  if (es) es.close();
  const q = new URLSearchParams();
  if (state.team) q.set('team', state.team);
  if (state.bbox) q.set('bbox', state.bbox.map((x) => x.toFixed(4)).join(','));
  setConn('');
  es = new EventSource('/api/v1/live?' + q);
  es.onopen = () => setConn('on');
  es.onerror = async () => {
    setConn('off');
    if (es.readyState !== EventSource.CLOSED) return; // the browser retries itself
    const r = await fetch('/api/v1/me', { credentials: 'same-origin' }).catch(() => null);
    if (r && r.status === 401) return showLogin();
    setTimeout(connect, 3000);
  };
  es.addEventListener('snapshot', (e) => {
    const s = JSON.parse(e.data);
    state.skew = s.now - Date.now();
    state.stale = s.stale_s;
    state.offline = s.offline_s;
    for (const p of s.positions) state.marks.set(keyOf(p), p);
    for (const [k, pts] of Object.entries(s.trails)) state.trails.set(Number(k), pts);
    // A fresh stream (new viewport or team, or too long away) starts from
    // a snapshot without visit events: fetch the visits it may have missed.
    if (state.snapshots++ > 0) loadVisits();
    changed();
  });
  es.addEventListener('fix', (e) => {
    const p = JSON.parse(e.data);
    const k = keyOf(p);
    state.marks.set(k, p);
    const tr = state.trails.get(k) || [];
    tr.push([p.lon, p.lat, p.t]);
    const from = now() - 10 * 60 * 1000;
    while (tr.length > 2 && (tr[0][2] < from || tr.length > 300)) tr.shift();
    state.trails.set(k, tr);
    state.fixes++;
    if (k > 0 && !state.collectors.has(k)) loadCollectors();
    changed();
  });
  es.addEventListener('status', (e) => {
    const c = JSON.parse(e.data);
    const m = state.marks.get(keyOf(c));
    if (m) m.status = c.status;
    changed();
  });
  es.addEventListener('visit', (e) => {
    addFeed(JSON.parse(e.data), true);
    renderFeed();
  });
  es.addEventListener('alarm', (e) => {
    addAlarm(JSON.parse(e.data), e.lastEventId);
    renderFeed();
  });
}

function setConn(cls) {
  const el = $('conn');
  el.className = 'conn ' + cls;
  el.textContent = cls === 'on' ? t('online') : cls === 'off' ? t('offline') : t('connecting');
}

let dirty = false;
function changed() {
  if (dirty) return;
  dirty = true;
  setTimeout(() => { dirty = false; fitOnce(); drawPositions(); renderList(); }, 150);
}

// ---- Side panels --------------------------------------------------------

function visibleKeys() {
  const keys = new Set(state.marks.keys());
  for (const id of state.collectors.keys()) keys.add(id);
  return [...keys].filter((k) => {
    const c = state.collectors.get(k);
    if (state.team && (!c || c.team !== state.team)) return false;
    if (!state.search) return true;
    const hay = [nameOf(k), ...(c?.devices || []).map((d) => d.uid)].join(' ').toLowerCase();
    return hay.includes(state.search);
  });
}

function renderList() {
  if (!state.me) return;
  const keys = visibleKeys().sort((a, b) => nameOf(a).localeCompare(nameOf(b), lang));
  const ul = $('list');
  ul.replaceChildren();
  let live = 0;
  for (const k of keys) {
    const m = state.marks.get(k);
    const st = m ? statusOf(m.t) : 'offline';
    if (m && st === 'live') live++;
    const li = document.createElement('li');
    li.dataset.key = k;
    li.className = state.selected === k ? 'sel' : '';
    li.innerHTML = `<span class="dot ${m ? st : ''}"></span><span class="name"></span>` +
      `<span class="age"></span>`;
    li.querySelector('.name').textContent = nameOf(k);
    li.querySelector('.age').textContent = m ? fmtAge(m.t) : t('never');
    li.title = m ? t(st === 'offline' ? 'offlineS' : st) : '';
    if (k > 0) {
      const b = document.createElement('button');
      b.textContent = t('day');
      b.className = 'day';
      b.onclick = (e) => { e.stopPropagation(); openReplay(k); };
      li.append(b);
    }
    li.onclick = () => select(k);
    ul.append(li);
  }
  $('counts').textContent = t('counts', keys.length, live);
}

function select(k) {
  state.selected = k;
  const m = state.marks.get(k);
  if (map && m) map.easeTo({ center: [m.lon, m.lat], zoom: Math.max(map.getZoom(), 14) });
  renderList();
  drawPositions();
}

function addFeed(ev, fresh) {
  const v = ev.visit;
  const id = `${ev.type}/${v.id}/${ev.changes ? ev.changes.join(',') : ''}`;
  if (state.feedSeen.has(id)) return;
  state.feedSeen.add(id);
  const at = Date.parse(ev.type === 'visit.departed' ? v.departed_at : v.arrived_at);
  state.feed.push({ type: ev.type.replace('visit.', ''), v, at, fresh });
  state.feed.sort(feedOrder);
  state.feed.length = Math.min(state.feed.length, 300);
}

// feedOrder keeps alarms on top, then the newest first.
function feedOrder(a, b) {
  return (b.type === 'alarm') - (a.type === 'alarm') || b.at - a.at;
}

// addAlarm puts a device's alarm (SOS) at the top of the feed; it names
// the collector, or the device when it belongs to nobody.
function addAlarm(a, id) {
  if (state.feedSeen.has(id)) return;
  state.feedSeen.add(id);
  const key = a.collector || -a.device;
  state.feed.push({ type: 'alarm', v: { collector: key }, alarm: a.alarm, at: a.t, fresh: true });
  state.feed.sort(feedOrder);
  state.feed.length = Math.min(state.feed.length, 300);
}

function renderFeed() {
  const ul = $('feed');
  ul.replaceChildren();
  for (const f of state.feed) {
    if (state.team && state.collectors.get(f.v.collector)?.team !== state.team) continue;
    const li = document.createElement('li');
    li.className = f.type;
    li.dataset.type = f.type;
    const who = nameOf(f.v.collector);
    const text = f.type === 'alarm' ? t('alarm', who, f.alarm)
      : f.type === 'departed' ? t('departed', who, f.v.zone, Math.round(f.v.dwell_s / 60))
        : t(f.type, who, f.v.zone);
    li.innerHTML = '<div class="t"></div><div class="x"></div>';
    li.querySelector('.t').textContent = fmtTime(f.at);
    li.querySelector('.x').textContent = text;
    li.onclick = () => select(f.v.collector);
    ul.append(li);
  }
}

function tick() {
  renderList();
  drawPositions();
}

// ---- Map ----------------------------------------------------------------

async function initMap() {
  const maplibregl = await import(conf.static + 'vendor/maplibre-gl.mjs');
  const base = {
    version: 8,
    sources: { land: { type: 'geojson', data: location.origin + conf.static + 'vendor/land.geojson' } },
    layers: [
      { id: 'bg', type: 'background', paint: { 'background-color': '#cfe3f2' } },
      { id: 'land', type: 'fill', source: 'land',
        paint: { 'fill-color': '#f3f0e8', 'fill-outline-color': '#bdb6a4' } },
    ],
  };
  if (conf.tile_url) {
    base.sources.tiles = { type: 'raster', tiles: [conf.tile_url], tileSize: 256,
      maxzoom: conf.max_zoom || 19, attribution: conf.attribution || '' };
    base.layers.push({ id: 'tiles', type: 'raster', source: 'tiles' });
  }
  const first = [...state.marks.values()][0];
  map = new maplibregl.Map({ container: 'map', style: conf.style_url || base,
    center: first ? [first.lon, first.lat] : [37.62, 55.75], zoom: 10,
    attributionControl: { compact: true } });
  window.dozor.map = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  let loaded = false;
  map.on('error', (e) => {
    // A style URL that cannot be reached: fall back to the bundled land.
    if (!loaded && conf.style_url) { loaded = true; map.setStyle(base); }
    console.warn('map:', e.error?.message || e);
  });
  map.on('style.load', () => { loaded = true; addLayers(maplibregl); });
  map.on('moveend', () => { clearTimeout(initMap.t); initMap.t = setTimeout(viewportChanged, 400); });
  await new Promise((ok) => map.once('load', ok));
}

function arrowImage() {
  const c = document.createElement('canvas');
  c.width = c.height = 32;
  const g = c.getContext('2d');
  g.fillStyle = '#1d2b3a';
  g.beginPath();
  g.moveTo(16, 1); g.lineTo(24, 14); g.lineTo(8, 14);
  g.closePath();
  g.fill();
  return g.getImageData(0, 0, 32, 32);
}

const STATUS_COLOR = ['match', ['get', 'status'], 'live', '#2e7d32', 'stale', '#ef8f00', '#8a95a3'];

function addLayers(maplibregl) {
  if (map.getSource('positions')) return;
  const empty = { type: 'FeatureCollection', features: [] };
  if (!map.hasImage('arrow')) map.addImage('arrow', arrowImage());
  for (const id of ['zones', 'trails', 'positions', 'replay-track', 'replay-stops', 'replay-visits', 'replay-cursor']) {
    map.addSource(id, { type: 'geojson', data: empty });
  }
  map.addLayer({ id: 'zones-fill', type: 'fill', source: 'zones', paint: { 'fill-color': '#7b1fa2', 'fill-opacity': 0.12 } });
  map.addLayer({ id: 'zones-line', type: 'line', source: 'zones', paint: { 'line-color': '#7b1fa2', 'line-width': 1 } });
  map.addLayer({ id: 'trails', type: 'line', source: 'trails',
    layout: { 'line-join': 'round', 'line-cap': 'round' },
    paint: { 'line-color': STATUS_COLOR, 'line-width': 2, 'line-opacity': 0.6 } });
  map.addLayer({ id: 'replay-track', type: 'line', source: 'replay-track',
    paint: { 'line-color': '#1565c0', 'line-width': 3 } });
  map.addLayer({ id: 'replay-stops', type: 'circle', source: 'replay-stops',
    paint: { 'circle-radius': 6, 'circle-color': '#fff', 'circle-stroke-color': '#1565c0', 'circle-stroke-width': 2 } });
  map.addLayer({ id: 'replay-visits', type: 'circle', source: 'replay-visits',
    paint: { 'circle-radius': 7, 'circle-color': '#7b1fa2', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
  map.addLayer({ id: 'positions', type: 'circle', source: 'positions',
    paint: { 'circle-radius': ['case', ['get', 'selected'], 10, 7], 'circle-color': STATUS_COLOR,
      'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
  map.addLayer({ id: 'headings', type: 'symbol', source: 'positions', filter: ['>', ['get', 'speed'], 1],
    layout: { 'icon-image': 'arrow', 'icon-rotate': ['get', 'course'], 'icon-rotation-alignment': 'map',
      'icon-allow-overlap': true, 'icon-ignore-placement': true, 'icon-offset': [0, -14], 'icon-size': 0.7 } });
  map.addLayer({ id: 'replay-cursor', type: 'circle', source: 'replay-cursor',
    paint: { 'circle-radius': 8, 'circle-color': '#ef6c00', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
  map.on('click', 'positions', (e) => {
    const f = e.features[0];
    const k = f.properties.key;
    const m = state.marks.get(k);
    new maplibregl.Popup().setLngLat(f.geometry.coordinates)
      .setText(`${nameOf(k)} · ${Math.round(m?.speed || 0)} ${t('speed')} · ${fmtAge(m?.t)}`).addTo(map);
    select(k);
  });
  drawPositions();
  loadZones();
  if (replay.data) drawReplay();
}

// fitOnce frames the team's positions the first time there are any.
function fitOnce() {
  if (!map || state.fitted || state.marks.size === 0) return;
  state.fitted = true;
  let w = 180, s = 90, e = -180, n = -90;
  for (const m of state.marks.values()) {
    w = Math.min(w, m.lon); e = Math.max(e, m.lon); s = Math.min(s, m.lat); n = Math.max(n, m.lat);
  }
  map.fitBounds([[w, s], [e, n]], { padding: 80, maxZoom: 14, duration: 0 });
}

function drawPositions() {
  if (!map || !map.getSource('positions')) return;
  const feats = [];
  const lines = [];
  const keys = new Set(visibleKeys());
  for (const [k, m] of state.marks) {
    if (!keys.has(k)) continue;
    const status = statusOf(m.t);
    feats.push({ type: 'Feature', id: Math.abs(k), geometry: { type: 'Point', coordinates: [m.lon, m.lat] },
      properties: { key: k, status, speed: m.speed || 0, course: m.course || 0,
        selected: state.selected === k } });
    const tr = state.trails.get(k);
    if (tr && tr.length > 1) {
      lines.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: tr.map((p) => [p[0], p[1]]) },
        properties: { key: k, status } });
    }
  }
  map.getSource('positions').setData({ type: 'FeatureCollection', features: feats });
  map.getSource('trails').setData({ type: 'FeatureCollection', features: lines });
}

async function loadZones() {
  const b = map.getBounds();
  const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((x) => x.toFixed(4));
  const fc = await api('/api/v1/live/zones?bbox=' + clampBox(bbox).join(',')).catch(() => null);
  if (fc && map.getSource('zones')) map.getSource('zones').setData(fc);
}

function clampBox(b) {
  return [Math.max(-180, b[0]), Math.max(-85, b[1]), Math.min(180, b[2]), Math.min(85, b[3])];
}

// viewportChanged narrows the stream to the visible area (with a margin)
// when zoomed in, so that the server sends only what the map can show.
function viewportChanged() {
  loadZones();
  const b = map.getBounds();
  const view = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
  if (map.getZoom() < 9) {
    if (state.bbox) { state.bbox = null; connect(); }
    return;
  }
  const cur = state.bbox;
  if (cur && view[0] >= cur[0] && view[1] >= cur[1] && view[2] <= cur[2] && view[3] <= cur[3]) return;
  const dx = (view[2] - view[0]) / 2;
  const dy = (view[3] - view[1]) / 2;
  state.bbox = clampBox([view[0] - dx, view[1] - dy, view[2] + dx, view[3] + dy]);
  connect();
}

// ---- Replay -------------------------------------------------------------

function setupReplay() {
  $('replay-date').value = new Date(Date.now() - new Date().getTimezoneOffset() * 60000)
    .toISOString().slice(0, 10);
  $('replay-date').onchange = () => replay.collector && openReplay(replay.collector);
  $('replay-close').onclick = closeReplay;
  $('replay-slider').oninput = () => cursor(Number($('replay-slider').value));
  $('replay-play').onclick = () => {
    if (replay.timer) return stopPlay();
    const n = replay.data?.track.length || 0;
    const step = Math.max(1, Math.round(n / 600));
    replay.timer = setInterval(() => {
      const i = Math.min(n - 1, Number($('replay-slider').value) + step);
      $('replay-slider').value = i;
      cursor(i);
      if (i >= n - 1) stopPlay();
    }, 100);
    $('replay-play').textContent = t('pause');
  };
}

function stopPlay() {
  clearInterval(replay.timer);
  replay.timer = null;
  $('replay-play').textContent = t('play');
}

async function openReplay(id, date) {
  if (date) $('replay-date').value = date;
  replay.collector = id;
  const day = new Date($('replay-date').value + 'T00:00:00');
  const to = new Date(day.getTime() + 24 * 3600 * 1000);
  replay.data = await api(`/api/v1/live/collectors/${id}/day?from=${day.toISOString()}&to=${to.toISOString()}`);
  stopPlay();
  $('replay').hidden = false;
  $('replay-title').textContent = t('replayOf', nameOf(id));
  const d = replay.data;
  $('replay-summary').textContent = d.track.length
    ? t('summary', d.track.length, d.stops.length, d.visits.length) : t('noTrack');
  $('replay-slider').max = Math.max(0, d.track.length - 1);
  $('replay-slider').value = 0;
  drawReplay();
  cursor(0);
  window.dozor.replayed++;
}

function nearest(track, ms) {
  let best = 0;
  for (let i = 0; i < track.length; i++) {
    if (Math.abs(track[i][2] - ms) < Math.abs(track[best][2] - ms)) best = i;
  }
  return track[best];
}

function drawReplay() {
  if (!map || !map.getSource('replay-track')) return;
  const d = replay.data;
  const fc = (features) => ({ type: 'FeatureCollection', features });
  const pt = (c, props = {}) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: c }, properties: props });
  const line = d.track.length > 1
    ? [{ type: 'Feature', geometry: { type: 'LineString', coordinates: d.track.map((p) => [p[0], p[1]]) }, properties: {} }]
    : [];
  map.getSource('replay-track').setData(fc(line));
  map.getSource('replay-stops').setData(fc(d.stops.map((s) => pt([s.lon, s.lat], { from: s.from }))));
  map.getSource('replay-visits').setData(fc(d.track.length
    ? d.visits.map((v) => pt(nearest(d.track, Date.parse(v.arrived_at)).slice(0, 2), { zone: v.zone }))
    : []));
  if (d.track.length) {
    let w = 180, s = 90, e = -180, n = -90;
    for (const p of d.track) { w = Math.min(w, p[0]); e = Math.max(e, p[0]); s = Math.min(s, p[1]); n = Math.max(n, p[1]); }
    map.fitBounds([[w, s], [e, n]], { padding: 60, duration: 0, maxZoom: 16 });
  }
}

function cursor(i) {
  const p = replay.data?.track[i];
  if (!p) { $('replay-info').textContent = ''; return; }
  $('replay-info').textContent = `${new Date(p[2]).toLocaleString(lang)} · ${Math.round(p[3])} ${t('speed')}`;
  if (map && map.getSource('replay-cursor')) {
    map.getSource('replay-cursor').setData({ type: 'FeatureCollection',
      features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [p[0], p[1]] }, properties: {} }] });
  }
}

function closeReplay() {
  stopPlay();
  replay.data = null;
  replay.collector = null;
  $('replay').hidden = true;
  if (map && map.getSource('replay-track')) {
    for (const id of ['replay-track', 'replay-stops', 'replay-visits', 'replay-cursor']) {
      map.getSource(id).setData({ type: 'FeatureCollection', features: [] });
    }
  }
}

// ---- Test and debugging hook -------------------------------------------

let resolveReady;
window.dozor = {
  state, replay, map: null, replayed: 0,
  ready: new Promise((ok) => { resolveReady = ok; }),
  resolveReady: () => resolveReady(),
  openReplay,
  // rendered returns the keys of the positions drawn on the map now.
  rendered: () => (map ? map.queryRenderedFeatures({ layers: ['positions'] }).map((f) => f.properties.key) : []),
};

start();
